using System.Globalization;
using System.Text.Json.Nodes;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Compare.Wrk;
using Ursula.Bench.Metrics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// What a workload gets for one session: the running system (and nothing else of the harness
/// running), the settings, the load generators, and <see cref="MeasureAsync"/>, which every
/// measured step goes through so that each result carries the same accounting: peak RSS of the
/// system's processes, the client side's CPU share, the load average, the session, and flags.
/// </summary>
public sealed class SessionContext(
    Session session, SystemUnderTest system, CompareSettings settings, RunLog log, ResultSink sink,
    WrkRunner wrk, BenchVerbRunner verbs, string wrkVersion)
{
    public Session Session { get; } = session;

    public SystemUnderTest System { get; } = system;

    public CompareSettings Settings { get; } = settings;

    public RunLog Log { get; } = log;

    public WrkRunner Wrk { get; } = wrk;

    public BenchVerbRunner Verbs { get; } = verbs;

    /// <summary>"wrk 4.1.0 ...", named in every wrk result.</summary>
    public string WrkVersion { get; } = wrkVersion;

    /// <summary>Appends/s of this session's closed-loop wrk run, for the run at half of it.</summary>
    public double? PeakAppendsPerSec { get; set; }

    /// <summary>
    /// Runs one measured step while the memory of the system's processes is sampled, completes its
    /// result (harness CPU, RSS, load average, session, flags) and saves it. Returns null when the
    /// step produced no result; that is recorded as a failure.
    /// </summary>
    public async Task<BenchResult?> MeasureAsync(string what, Func<CancellationToken, Task<Step>> step, CancellationToken ct)
    {
        if (System.CheckAlive() is { } dead)
        {
            sink.Fail($"{Session.Name}, {what}: not run, {dead}");
            Log.Line($"  {what}: not run, {dead}");
            return null;
        }

        if (await System.RefreshAsync(ct) is { } note)
        {
            Log.Line($"  {System.Label}: {note}");
        }

        var load = LoadAverage();
        // Sampled less often than the verbs do (100 ms): the harness's own CPU counts against the run.
        var watcher = new RssWatcher(System.WatchTargets, TimeSpan.FromMilliseconds(250));
        watcher.Start();
        Step outcome;
        try
        {
            outcome = await step(ct);
        }
        finally
        {
            await watcher.StopAsync();
        }

        if (outcome.Result is not { } result)
        {
            sink.Fail($"{Session.Name}, {what}: no result ({outcome.Problem})");
            Log.Line($"  {what}: FAILED, {outcome.Problem}");
            return null;
        }

        watcher.Report(result, TextWriter.Null);
        result.Metric(RunFlags.HarnessCpu, Math.Round(outcome.Harness.Percent, 1));
        result.Metric("loadAvg1", load);
        result.Metric("round", Session.Round);
        var flags = RunFlags.Evaluate(result.Metrics, Settings.CpuLimit);
        if (outcome.Problem is { } problem)
        {
            flags = [.. flags, problem];
        }

        result.Detail("session", Session.Name);
        result.Detail("loadUrl", System.LoadUrl.ToString());
        result.Detail("flags", new JsonArray([.. flags.Select(f => JsonValue.Create(f))]));
        sink.Add(result, Session.Name, flags);
        var metrics = result.Metrics;
        var rss = metrics.TryGetValue("rss.server.peakMB", out var server) ? $"server RSS peak {server:0} MB" : $"RSS peak {metrics.GetValueOrDefault("rssTotalPeakMB"):0} MB (all nodes)";
        Log.Line($"  {what}: {outcome.Summary}; {rss}; load generator CPU {metrics.GetValueOrDefault(RunFlags.LoadgenCpu):0.#}% + harness {outcome.Harness.Percent:0.#}% of the machine; "
            + $"load {load:0.0}{(flags.Count > 0 ? "; FLAGGED: " + string.Join("; ", flags) : "")}");
        return result;
    }

    /// <summary>The 1-minute load average now (other work on the machine shows up here).</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return double.NaN;
        }
    }
}

/// <summary>
/// What one measured step returns: its result (null if it failed), the harness's CPU while it
/// ran, a one-line summary for the log, and a problem to flag (e.g. a non-zero exit of the verb).
/// </summary>
public sealed record Step(BenchResult? Result, CpuShare Harness, string Summary, string? Problem = null);
