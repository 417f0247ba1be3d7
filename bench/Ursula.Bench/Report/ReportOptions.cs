namespace Ursula.Bench.Report;

/// <summary>What 'report' adds around the per-workload tables: heading, machine facts, label pairs to compare.</summary>
public sealed record ReportOptions(
    string Title,
    IReadOnlyList<KeyValuePair<string, string>> Machine,
    IReadOnlyList<LabelPair> Ratios);
