using System.Globalization;

namespace Ursula.Bench.Report;

/// <summary>
/// A metric worth a line in the summary and ratio tables (the full per-workload tables still list
/// every metric). <see cref="Verb"/> null means every workload; <see cref="Scale"/> converts the
/// stored unit into <see cref="Unit"/> (0.001 for microseconds to ms). <see cref="InRatios"/> puts it
/// in the ratio table, where <see cref="HigherIsBetter"/> says how to read a ratio above 1.
/// </summary>
public sealed record KeyMetric(
    string? Verb, string Metric, string Title, string Unit, double Scale, bool HigherIsBetter, bool InRatios)
{
    public static IReadOnlyList<KeyMetric> Defaults { get; } =
    [
        new("append", "appendsPerSec", "appends/s", "", 1, HigherIsBetter: true, InRatios: true),
        new("append", "latP50Us", "append p50", "ms", 0.001, HigherIsBetter: false, InRatios: false),
        new("append", "latP99Us", "append p99", "ms", 0.001, HigherIsBetter: false, InRatios: true),
        new("append", "schedP99Us", "append p99 from scheduled send", "ms", 0.001, HigherIsBetter: false, InRatios: true),
        new("append", "errors", "errors", "", 1, HigherIsBetter: false, InRatios: false),
        new("fanout", "publishedPerSec", "published appends/s (target --rate)", "", 1, HigherIsBetter: true, InRatios: false),
        new("fanout", "deliveryP50Us", "delivery p50", "ms", 0.001, HigherIsBetter: false, InRatios: false),
        new("fanout", "deliveryP99Us", "delivery p99", "ms", 0.001, HigherIsBetter: false, InRatios: true),
        new("fanout", "subscribersMissingData", "subscribers missing data", "", 1, HigherIsBetter: false, InRatios: false),
        new("catchup", "aggregateMBps", "read MB/s (aggregate)", "", 1, HigherIsBetter: true, InRatios: true),
        new("catchup", "verified", "content verified (1 = all readers)", "", 1, HigherIsBetter: true, InRatios: false),
        new(null, "loadgenCpuPct", "load generator CPU over the measured window (% of the machine)", "", 1, HigherIsBetter: false, InRatios: false),
        new("append", "loadgenCpuUsPerOp", "load generator CPU per append", "µs", 1, HigherIsBetter: false, InRatios: false),
        new(null, "rss.server.peakMB", "peak RSS, server process alone (single-process servers)", "MB", 1, HigherIsBetter: false, InRatios: true),
        new(null, "rssTotalPeakMB", "peak RSS, all watched processes", "MB", 1, HigherIsBetter: false, InRatios: true),
        new(null, "memTotalPeakMB", "peak memory, process trees by PSS", "MB", 1, HigherIsBetter: false, InRatios: true),
    ];

    public bool AppliesTo(WorkloadGroup group) => Verb is null || Verb == group.Verb;

    /// <summary>
    /// Whether a ratio of this metric says something about the workload: the throughput of a paced
    /// run (--rate) is what the driver asked for, not what the server can do.
    /// </summary>
    public bool ComparableIn(WorkloadGroup group) =>
        InRatios && AppliesTo(group) && !(Metric == "appendsPerSec" && group.IsPaced);

    public string Heading => Unit.Length == 0 ? Title : $"{Title} ({Unit})";

    /// <summary>"mean ± sd" in the display unit.</summary>
    public string Format(Stats stats) =>
        stats.Count switch
        {
            0 => "-",
            1 => Stats.FormatNumber(stats.Mean * Scale),
            _ => $"{Stats.FormatNumber(stats.Mean * Scale)} ± {Stats.FormatNumber(stats.StdDev * Scale)}",
        };

    public static string FormatRatio(double ratio) =>
        double.IsFinite(ratio) ? ratio.ToString(ratio >= 10 ? "0.#" : "0.00", CultureInfo.InvariantCulture) + "×" : "-";
}
