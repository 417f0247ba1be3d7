using System.Text.Json.Nodes;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// append-peak: closed-loop appends from wrk (--connections over --threads, --payload bodies
/// round-robin over --streams pre-created streams), after an unmeasured --append-warmup on the
/// same streams. Throughput and p50/p99 come from wrk; afterwards the streams are read back and
/// must hold at least every append wrk saw acknowledged.
/// </summary>
public sealed class AppendPeak : IWorkload
{
    public string Name => "append-peak";

    public bool AppliesTo(SystemUnderTest system) => true;

    public static string Workload(CompareSettings s) => $"append s{s.Streams} c{s.Connections} p{Cli.Units.FormatSize(s.Payload)}";

    public async Task RunAsync(SessionContext context, CancellationToken ct)
    {
        var s = context.Settings;
        using var client = BenchHttp.Create(32, TimeSpan.FromSeconds(60));
        var streams = await WrkAppends.CreateAsync(client, context, "bench", ct);
        long warmAcknowledged = 0;
        if (s.AppendWarmup > TimeSpan.Zero)
        {
            warmAcknowledged = (await streams.RunAsync(context, s.AppendWarmup, ct)).Result?.Succeeded ?? 0;
        }

        var result = await context.MeasureAsync(Name, async token =>
        {
            var run = await streams.RunAsync(context, s.AppendDuration, token);
            if (run.Result is not { } wrk)
            {
                return new Step(null, run.Harness, "", $"wrk exited {run.ExitCode} without a result");
            }

            var result = new BenchResult("append", context.System.Label, Workload(s), streams.RunId, Params(context), "");
            Fill(result, wrk, run.Loadgen, s.Payload);
            var stored = await ReadBack.TotalBytesAsync(client, streams.Urls, token) / s.Payload;
            var acknowledged = warmAcknowledged + wrk.Succeeded;
            result.Metric("storedAppends", stored);
            result.Metric("lostAppends", Math.Max(0, acknowledged - stored));
            result.Detail("wrk", new JsonObject { ["exitCode"] = run.ExitCode, ["warmupAcknowledged"] = warmAcknowledged });
            var summary = $"{wrk.SucceededPerSecond:0} appends/s, p50 {wrk.LatP50Us / 1000.0:0.0} ms, p99 {wrk.LatP99Us / 1000.0:0.0} ms, "
                + $"{wrk.Errors} errors, wrk {run.Loadgen.MicrosecondsPer(wrk.Requests):0.0} µs CPU per append; {stored} stored of {acknowledged} acknowledged";
            return new Step(result, run.Harness, summary, run.ExitCode == 0 ? null : $"wrk exited {run.ExitCode}");
        }, ct);
        context.PeakAppendsPerSec = result?.GetMetric("appendsPerSec");
    }

    /// <summary>The metrics of a wrk run, named like those of the C# append verb so the report groups them alike.</summary>
    public static void Fill(BenchResult result, Wrk.WrkResult wrk, CpuShare loadgen, int payload)
    {
        result.Metric("appendsPerSec", Math.Round(wrk.SucceededPerSecond, 1));
        result.Metric("mbPerSec", Math.Round(wrk.SucceededPerSecond * payload / Cli.Units.BytesPerMegabyte, 3));
        result.Metric("latP50Us", wrk.LatP50Us);
        result.Metric("latP90Us", wrk.LatP90Us);
        result.Metric("latP99Us", wrk.LatP99Us);
        result.Metric("latP999Us", wrk.LatP999Us);
        result.Metric("latMaxUs", wrk.LatMaxUs);
        result.Metric("latMeanUs", Math.Round(wrk.LatMeanUs, 1));
        result.Metric("errors", wrk.Errors);
        result.Metric("succeeded", wrk.Succeeded);
        result.Metric(RunFlags.LoadgenCpu, Math.Round(loadgen.Percent, 1));
        result.Metric("loadgenCpuCores", Math.Round(loadgen.CoresUsed, 3));
        result.Metric("loadgenCpuUsPerOp", Math.Round(loadgen.MicrosecondsPer(wrk.Requests), 1));
    }

    private static JsonObject Params(SessionContext context)
    {
        var s = context.Settings;
        return new JsonObject
        {
            ["generator"] = context.WrkVersion,
            ["script"] = "append.lua",
            ["threads"] = VerbStep.Text(s.Threads),
            ["connections"] = VerbStep.Text(s.Connections),
            ["streams"] = VerbStep.Text(s.Streams),
            ["payload"] = VerbStep.Text(s.Payload),
            ["content-type"] = WrkAppends.ContentType,
            ["warmup"] = Cli.Units.FormatDuration(s.AppendWarmup),
            ["duration"] = Cli.Units.FormatDuration(s.AppendDuration),
        };
    }
}
