namespace Ursula.Bench.Report;

/// <summary>
/// One bar chart: a metric of one verb's workloads (null verb = all workloads), grouped by workload
/// with one bar per label. <see cref="Scale"/> converts units (e.g. 0.001 for microseconds to ms).
/// </summary>
public sealed record ChartSpec(string? Verb, string Metric, string Title, string YLabel, string FileName, double Scale = 1)
{
    public static IReadOnlyList<ChartSpec> Defaults { get; } =
    [
        new("append", "appendsPerSec", "Append throughput", "appends/s", "append_throughput.png"),
        new("append", "latP99Us", "Append latency p99", "p99 latency (ms)", "append_p99.png", 0.001),
        new("append", "schedP99Us", "Append latency p99 from scheduled send (fixed rate)", "p99 latency (ms)", "append_sched_p99.png", 0.001),
        new("fanout", "deliveryP99Us", "Fan-out delivery latency p99", "p99 latency (ms)", "fanout_p99.png", 0.001),
        new("catchup", "aggregateMBps", "Catch-up read throughput", "MB/s (aggregate)", "catchup_mbps.png"),
        new(null, "rssTotalPeakMB", "Peak server RSS", "MB", "peak_rss.png"),
    ];
}
