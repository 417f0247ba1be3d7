using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ursula.Bench.Cli;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Compare.Workloads;
using Ursula.Bench.Report;

namespace Ursula.Bench.Compare;

/// <summary>
/// The end of a comparison run: machine.json (the facts plus how the run went), the report verb's
/// results.md and charts, publication into OUT (only when the run produced results), and a
/// closing summary of the ratios, flags and failures on the console.
/// </summary>
public static class RunReport
{
    /// <summary>
    /// The ratio table's columns: each Ursula system over each reference server, then, when cold
    /// catch-up runs, ursula-single's cold figures over its hot one (same workload, other label).
    /// </summary>
    public static IReadOnlyList<LabelPair> Pairs(IReadOnlyList<string> systems, Func<string, bool> runs) =>
    [
        .. new[] { SystemCatalog.UrsulaSingle, SystemCatalog.UrsulaCluster3 }
            .SelectMany(a => new[] { SystemCatalog.RefMemory, SystemCatalog.RefFile }.Select(b => new LabelPair(a, b)))
            .Where(p => systems.Contains(p.Numerator) && systems.Contains(p.Denominator)),
        .. new[] { ColdStore.Filesystem, ColdStore.S3 }
            .Where(store => systems.Contains(SystemCatalog.UrsulaSingle) && runs(new ColdCatchup(store).Name) && runs(new HotCatchup().Name))
            .Select(store => new LabelPair(ColdCatchup.Label(SystemCatalog.UrsulaSingle, store), SystemCatalog.UrsulaSingle)),
    ];

    public static void Write(
        CompareSettings settings, CompareRun run, JsonObject machine, string loadAtStart, string loadAtEnd,
        double minutes, string runDirectory, RunLog log)
    {
        var records = File.Exists(run.Sink.Path) ? ResultRecord.Load([run.Sink.Path], TextWriter.Null) : [];
        var loads = records.Select(r => r.Metrics.GetValueOrDefault("loadAvg1", double.NaN)).Where(double.IsFinite).ToList();
        machine["load average"] = $"{loadAtStart} at the start, {loadAtEnd} at the end (1/5/15 min)"
            + (loads.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"; 1-min load at the start of each measurement {loads.Min():0.0} to {loads.Max():0.0}, mean {loads.Average():0.0}") : "")
            + "; a 1-minute average lags, so each figure counts this run's own servers and load generators of the minute before; whatever else runs on the machine is not controlled";
        machine["isolation"] = "only the system under test runs while it is measured: each session starts it afresh (new data dir, new PostgreSQL), "
            + "warms it up unmeasured, runs every workload, and stops it (with its PostgreSQL) before the next session; no CPU pinning";
        machine["schedule"] = string.Join(" | ", run.Sessions.Select(s => s.Name));
        foreach (var system in settings.Systems)
        {
            machine[system] = SystemCatalog.Describe(system);
        }

        machine["workloads"] = Workloads(settings);
        if (run.Events.Count > 0)
        {
            machine["events (server logs)"] = string.Join("; ", run.Events.SelectMany(e => e.Value));
        }

        machine["flagged results"] = run.Sink.Flagged.Count == 0 ? "none" : string.Join("; ", run.Sink.Flagged);
        machine["failed steps"] = run.Sink.Failures.Count == 0 ? "none" : string.Join("; ", run.Sink.Failures);
        machine["memory metrics"] = "rss.server / rss.nN = the server process(es); rss.pg / rss.pgN = a PostgreSQL process tree, whose RSS counts "
            + "shared buffers once per backend (its PSS does not); rssTotalPeakMB = all watched processes of the system by RSS, memTotalPeakMB = the same with PSS for the PostgreSQL trees";
        machine["benchmark time"] = string.Create(CultureInfo.InvariantCulture, $"{minutes:0.0} min of sessions (install and build excluded)");
        var machinePath = Path.Combine(runDirectory, "machine.json");
        // Plain text for people: "+" and "'" stay as they are (the file is never embedded in HTML).
        var json = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(machinePath, machine.ToJsonString(json) + "\n");

        if (records.Count == 0)
        {
            log.Line("no results: nothing to report or publish");
            return;
        }

        var reportDirectory = Path.Combine(runDirectory, "report");
        var pairs = Pairs(settings.Systems, settings.Runs);
        var reportArgs = ParsedArgs.Parse(VerbCatalog.Report,
        [
            "--in", run.Sink.Path, "--out", reportDirectory, "--machine", machinePath,
            "--ratios", string.Join(',', pairs.Select(p => $"{p.Numerator}/{p.Denominator}")),
            "--title", "Ursula vs the Node reference server",
        ]);
        new ReportCommand(reportArgs, TextWriter.Null).Run();
        if (settings.Publish)
        {
            Publish(settings.ResultsDirectory, run.Sink.Path, machinePath, reportDirectory);
            log.Line($"results published to {settings.ResultsDirectory} (results.md, results.jsonl, machine.json, charts)");
        }
        else
        {
            log.Line($"--no-publish: report in {reportDirectory}");
        }

        Summarise(records, pairs, run, settings, log);
    }

    private static string Workloads(CompareSettings s) =>
        $"warm-up: {Units.FormatDuration(s.Warmup)} of wrk appends after each start; "
        + $"append: wrk, {s.Connections} connections, {s.Threads} threads, {s.Payload} B POSTs round-robin over {s.Streams} streams, "
        + $"{Units.FormatDuration(s.AppendWarmup)} unmeasured + {Units.FormatDuration(s.AppendDuration)} measured, streams read back after; "
        + $"append @50%: C# open loop (raw HTTP/1.1 connections) at half of the same session's wrk peak, {Units.FormatDuration(s.AppendWarmup)} + {Units.FormatDuration(s.AppendDuration)}; "
        + $"fanout: {s.FanoutSubscribers} SSE subscribers, {s.FanoutRate:0} appends/s for {Units.FormatDuration(s.FanoutDuration)}, "
        + "then the same with SignalR hub subscribers (Ursula only); "
        + $"catchup: {s.CatchupReaders} readers of one {Units.FormatSize(s.CatchupSize)} stream; "
        + $"cold catch-up ({SystemCatalog.UrsulaSingle} only): the same readers after the node, started with {string.Join(' ', ColdCatchup.FastArchiving)} "
        + $"--archive-object-bytes {s.ColdObjectBytes} and its archive in a directory ({ColdCatchup.Label(SystemCatalog.UrsulaSingle, ColdStore.Filesystem)}) or on s3rver "
        + $"({ColdCatchup.Label(SystemCatalog.UrsulaSingle, ColdStore.S3)}), archived the stream (health: 0 hot bytes) and was restarted; OS page cache not dropped; "
        + $"memory: fresh node, {s.MemoryStreams} streams filled, then the fan-out on top";

    private static void Publish(string resultsDirectory, string jsonl, string machine, string reportDirectory)
    {
        foreach (var old in Directory.EnumerateFiles(resultsDirectory, "*.png")
            .Concat(new[] { "results.md", "results.jsonl", "machine.json" }.Select(f => Path.Combine(resultsDirectory, f)))
            .Where(File.Exists))
        {
            File.Delete(old);
        }

        File.Copy(jsonl, Path.Combine(resultsDirectory, "results.jsonl"));
        File.Copy(machine, Path.Combine(resultsDirectory, "machine.json"));
        foreach (var file in Directory.EnumerateFiles(reportDirectory))
        {
            File.Copy(file, Path.Combine(resultsDirectory, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static void Summarise(List<ResultRecord> records, IReadOnlyList<LabelPair> pairs, CompareRun run, CompareSettings settings, RunLog log)
    {
        var peak = WorkloadGroup.Build(records).FirstOrDefault(g => g.Workload == AppendPeak.Workload(settings));
        if (peak is not null)
        {
            foreach (var label in peak.Labels)
            {
                var rate = peak.Get(label, "appendsPerSec");
                var cpu = peak.Get(label, RunFlags.LoadgenCpu);
                log.Line($"appends/s (wrk) {label}: {rate?.Format() ?? "-"}; wrk CPU {cpu?.Format() ?? "-"}% of the machine");
            }

            foreach (var pair in pairs)
            {
                var ratio = pair.RatioIn(peak, "appendsPerSec");
                log.Line($"ratio {pair.Title} appends/s: {(ratio is { } r ? KeyMetric.FormatRatio(r) : "-")}");
            }
        }

        var catchup = WorkloadGroup.Build(records).FirstOrDefault(g => g.Workload == HotCatchup.Workload(settings));
        if (catchup is not null)
        {
            foreach (var label in catchup.Labels)
            {
                log.Line($"catch-up MB/s {label}: {catchup.Get(label, "aggregateMBps")?.Format() ?? "-"}; "
                    + $"load generator CPU {catchup.Get(label, RunFlags.LoadgenCpu)?.Format() ?? "-"}% of the machine");
            }

            foreach (var pair in pairs.Where(p => catchup.Labels.Contains(p.Numerator)))
            {
                var ratio = pair.RatioIn(catchup, "aggregateMBps");
                log.Line($"ratio {pair.Title} catch-up MB/s: {(ratio is { } r ? KeyMetric.FormatRatio(r) : "-")}");
            }
        }

        log.Line($"{records.Count} results, {run.Sink.Flagged.Count} flag(s), {run.Sink.Failures.Count} failure(s)");
        foreach (var flag in run.Sink.Flagged)
        {
            log.Line($"  flagged: {flag}");
        }

        foreach (var failure in run.Sink.Failures)
        {
            log.Line($"  failed: {failure}");
        }
    }
}
