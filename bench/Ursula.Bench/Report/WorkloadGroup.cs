namespace Ursula.Bench.Report;

/// <summary>
/// All runs of one workload (e.g. "append s100 c64 p256B") across labels (servers): labels and
/// metrics in order of first appearance, and the statistics of each (label, metric) pair.
/// </summary>
public sealed class WorkloadGroup
{
    private readonly Dictionary<(string Label, string Metric), Stats> _stats = [];

    private WorkloadGroup(string verb, string workload, IReadOnlyList<ResultRecord> runs)
    {
        Verb = verb;
        Workload = workload;
        Runs = runs;
        Labels = [.. runs.Select(r => r.Label).Distinct(StringComparer.Ordinal)];
        Metrics = [.. runs.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal)];
        foreach (var label in Labels)
        {
            var labelRuns = runs.Where(r => r.Label == label).ToList();
            foreach (var metric in Metrics)
            {
                var values = labelRuns
                    .Where(r => r.Metrics.ContainsKey(metric))
                    .Select(r => r.Metrics[metric])
                    .ToList();
                _stats[(label, metric)] = Stats.From(values);
            }
        }
    }

    public string Verb { get; }

    public string Workload { get; }

    public IReadOnlyList<ResultRecord> Runs { get; }

    public IReadOnlyList<string> Labels { get; }

    public IReadOnlyList<string> Metrics { get; }

    public int RunCount(string label) => Runs.Count(r => r.Label == label);

    /// <summary>True when the runs were paced to a target rate (--rate above zero).</summary>
    public bool IsPaced =>
        Runs.Any(r => r.Params["rate"]?.ToString() is { } rate
            && double.TryParse(rate, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value > 0);

    public Stats? Get(string label, string metric) =>
        _stats.TryGetValue((label, metric), out var stats) && stats.Count > 0 ? stats : null;

    /// <summary>Groups records by verb and workload, verbs in a fixed order, workloads by first appearance.</summary>
    public static List<WorkloadGroup> Build(IReadOnlyList<ResultRecord> records)
    {
        string[] verbOrder = ["append", "fanout", "catchup"];
        return
        [
            .. records
                .GroupBy(r => (r.Verb, r.Workload))
                .OrderBy(g => Array.IndexOf(verbOrder, g.Key.Verb) is var i && i >= 0 ? i : verbOrder.Length)
                .Select(g => new WorkloadGroup(g.Key.Verb, g.Key.Workload, [.. g])),
        ];
    }
}
