using System.Globalization;
using System.Text;

namespace Ursula.Bench.Report;

/// <summary>
/// Writes results.md: the machine facts (when given), a summary of the key metrics of every
/// workload, the ratio table for the requested label pairs, the charts, and then per workload the
/// parameters of its runs and a table with one row per metric and one column per label. Each cell
/// is "mean ± sample standard deviation" over the repeated runs.
/// </summary>
public static class MarkdownReport
{
    private static readonly HashSet<string> HiddenParams =
        new(["url", "json", "label", "workload", "watch-pid", "watch-tree"], StringComparer.Ordinal);

    public static string Render(
        IReadOnlyList<WorkloadGroup> groups,
        IReadOnlyList<string> charts,
        int recordCount,
        ReportOptions options)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {options.Title}");
        md.AppendLine();
        var generated = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        md.AppendLine(
            $"Generated {generated} UTC from {recordCount} runs. "
            + "Cells are mean ± sample standard deviation over repeated runs (a single run shows just its value). "
            + "Latencies are in microseconds (`...Us`), throughput in MiB/s (`...MB...`), RSS in MiB.");
        md.AppendLine();
        if (options.Machine.Count > 0)
        {
            AppendMachine(md, options.Machine);
        }

        var labels = groups.SelectMany(g => g.Labels).Distinct(StringComparer.Ordinal).ToList();
        AppendSummary(md, groups, labels);
        if (options.Ratios.Count > 0)
        {
            AppendRatios(md, groups, options.Ratios);
        }

        if (charts.Count > 0)
        {
            md.AppendLine("## Charts");
            md.AppendLine();
            foreach (var chart in charts)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"![{Path.GetFileNameWithoutExtension(chart)}]({chart})");
                md.AppendLine();
            }
        }

        md.AppendLine("## All metrics per workload");
        md.AppendLine();
        foreach (var group in groups)
        {
            AppendGroup(md, group);
        }

        return md.ToString();
    }

    private static void AppendMachine(StringBuilder md, IReadOnlyList<KeyValuePair<string, string>> machine)
    {
        md.AppendLine("## Machine and run");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        foreach (var (key, value) in machine)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Escape(key)} | {Escape(value)} |");
        }

        md.AppendLine();
    }

    /// <summary>A table header: left-aligned text columns, then one right-aligned column per title.</summary>
    private static void AppendHeader(StringBuilder md, IReadOnlyList<string> textColumns, IReadOnlyList<string> numberColumns)
    {
        md.Append('|');
        foreach (var column in textColumns)
        {
            md.Append(CultureInfo.InvariantCulture, $" {column} |");
        }

        foreach (var column in numberColumns)
        {
            md.Append(CultureInfo.InvariantCulture, $" {Escape(column)} |");
        }

        md.AppendLine();
        md.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", textColumns.Count)) + string.Concat(Enumerable.Repeat("---:|", numberColumns.Count)));
    }

    /// <summary>The key metrics of every workload in one table: a row per (workload, metric), a column per label.</summary>
    private static void AppendSummary(StringBuilder md, IReadOnlyList<WorkloadGroup> groups, IReadOnlyList<string> labels)
    {
        md.AppendLine("## Summary");
        md.AppendLine();
        AppendHeader(md, ["workload", "metric"], labels);
        foreach (var group in groups)
        {
            foreach (var key in KeyMetric.Defaults.Where(k => k.AppliesTo(group)))
            {
                if (!labels.Any(l => group.Get(l, key.Metric) is not null))
                {
                    continue;
                }

                md.Append(CultureInfo.InvariantCulture, $"| {Escape(group.Workload)} | {Escape(key.Heading)} |");
                foreach (var label in labels)
                {
                    md.Append(CultureInfo.InvariantCulture, $" {(group.Get(label, key.Metric) is { } stats ? key.Format(stats) : "-")} |");
                }

                md.AppendLine();
            }
        }

        md.AppendLine();
    }

    /// <summary>mean(A) / mean(B) of the key metrics for each requested label pair.</summary>
    private static void AppendRatios(StringBuilder md, IReadOnlyList<WorkloadGroup> groups, IReadOnlyList<LabelPair> pairs)
    {
        md.AppendLine("## Ratios");
        md.AppendLine();
        md.AppendLine(
            "Each cell is mean(first label) / mean(second label) of the metric. For throughput a ratio above 1 "
            + "means the first label is faster; for latency and memory a ratio below 1 means it is better.");
        md.AppendLine();
        AppendHeader(md, ["workload", "metric", "better"], pairs.Select(p => p.Title).ToList());
        foreach (var group in groups)
        {
            foreach (var key in KeyMetric.Defaults.Where(k => k.ComparableIn(group)))
            {
                var cells = pairs.Select(p => p.RatioIn(group, key.Metric)).ToList();
                if (cells.All(c => c is null))
                {
                    continue;
                }

                md.Append(CultureInfo.InvariantCulture,
                    $"| {Escape(group.Workload)} | {Escape(key.Title)} | {(key.HigherIsBetter ? "higher" : "lower")} |");
                foreach (var cell in cells)
                {
                    md.Append(CultureInfo.InvariantCulture, $" {(cell is { } r ? KeyMetric.FormatRatio(r) : "-")} |");
                }

                md.AppendLine();
            }
        }

        md.AppendLine();
    }

    private static void AppendGroup(StringBuilder md, WorkloadGroup group)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"### {group.Workload}");
        md.AppendLine();
        // Parameters shared by all runs of the workload; differing ones list every value seen.
        var parameters = group.Runs
            .SelectMany(r => r.Params.Select(p => (p.Key, Value: p.Value?.ToJsonString().Trim('"') ?? "")))
            .Where(p => !HiddenParams.Contains(p.Key))
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}={string.Join(" / ", g.Select(p => p.Value).Distinct(StringComparer.Ordinal))}");
        md.AppendLine(CultureInfo.InvariantCulture, $"`{group.Verb}` {string.Join(", ", parameters)}");
        md.AppendLine();

        md.Append("| metric |");
        foreach (var label in group.Labels)
        {
            md.Append(CultureInfo.InvariantCulture, $" {Escape(label)} |");
        }

        md.AppendLine();
        md.Append("|---|");
        md.AppendLine(string.Concat(Enumerable.Repeat("---:|", group.Labels.Count)));
        md.Append("| runs |");
        foreach (var label in group.Labels)
        {
            md.Append(CultureInfo.InvariantCulture, $" {group.RunCount(label)} |");
        }

        md.AppendLine();
        foreach (var metric in group.Metrics)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {Escape(metric)} |");
            foreach (var label in group.Labels)
            {
                md.Append(CultureInfo.InvariantCulture, $" {group.Get(label, metric)?.Format() ?? "-"} |");
            }

            md.AppendLine();
        }

        md.AppendLine();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
