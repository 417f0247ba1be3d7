using System.Globalization;
using System.Text;

namespace Ursula.Bench.Report;

/// <summary>
/// Writes results.md: per workload, the parameters of its runs and a table with one row per metric
/// and one column per label, each cell "mean ± sample standard deviation" over the repeated runs.
/// </summary>
public static class MarkdownReport
{
    private static readonly HashSet<string> HiddenParams =
        new(["url", "json", "label", "workload", "watch-pid", "watch-tree"], StringComparer.Ordinal);

    public static string Render(IReadOnlyList<WorkloadGroup> groups, IReadOnlyList<string> charts, int recordCount)
    {
        var md = new StringBuilder();
        md.AppendLine("# Ursula benchmark results");
        md.AppendLine();
        var generated = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        md.AppendLine(
            $"Generated {generated} UTC from {recordCount} runs. "
            + "Cells are mean ± sample standard deviation over repeated runs (a single run shows just its value). "
            + "Latencies are in microseconds (`...Us`), throughput in MiB/s (`...MB...`), RSS in MiB.");
        md.AppendLine();
        foreach (var group in groups)
        {
            AppendGroup(md, group);
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

        return md.ToString();
    }

    private static void AppendGroup(StringBuilder md, WorkloadGroup group)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"## {group.Workload}");
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
