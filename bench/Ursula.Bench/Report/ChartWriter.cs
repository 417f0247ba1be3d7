using ScottPlot;

namespace Ursula.Bench.Report;

/// <summary>
/// Renders a <see cref="ChartSpec"/> as a grouped bar chart with ScottPlot: one group per workload,
/// one bar per label (same colour for a label in every chart), error bars = standard deviation.
/// </summary>
public sealed class ChartWriter(IReadOnlyList<string> allLabels)
{
    private readonly IPalette _palette = new ScottPlot.Palettes.Category10();

    /// <summary>Writes the chart into <paramref name="directory"/>; false if no run has the metric.</summary>
    public bool TryWrite(ChartSpec spec, IReadOnlyList<WorkloadGroup> groups, string directory)
    {
        var selected = groups
            .Where(g => (spec.Verb is null || g.Verb == spec.Verb) && g.Labels.Any(l => g.Get(l, spec.Metric) is not null))
            .ToList();
        if (selected.Count == 0)
        {
            return false;
        }

        var labels = allLabels.Where(l => selected.Any(g => g.Get(l, spec.Metric) is not null)).ToList();
        var plot = new Plot();
        var bars = new List<Bar>();
        var tickPositions = new List<double>();
        var tickLabels = new List<string>();
        var groupWidth = labels.Count + 1;
        for (var g = 0; g < selected.Count; g++)
        {
            for (var l = 0; l < labels.Count; l++)
            {
                if (selected[g].Get(labels[l], spec.Metric) is not { } stats)
                {
                    continue;
                }

                var value = stats.Mean * spec.Scale;
                bars.Add(new Bar
                {
                    Position = g * groupWidth + l,
                    Value = value,
                    Error = stats.Count > 1 ? stats.StdDev * spec.Scale : 0,
                    FillColor = ColorOf(labels[l]),
                    Label = Stats.FormatNumber(value),
                });
            }

            tickPositions.Add(g * groupWidth + (labels.Count - 1) / 2.0);
            tickLabels.Add(TickLabel(selected[g], spec.Verb is null));
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. tickPositions], [.. tickLabels]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.HideGrid();
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title(spec.Title);
        plot.YLabel(spec.YLabel);
        foreach (var label in labels)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = ColorOf(label) });
        }

        plot.ShowLegend(Alignment.UpperRight);
        var width = Math.Max(800, selected.Count * groupWidth * 90);
        plot.SavePng(Path.Combine(directory, spec.FileName), width, 500);
        return true;
    }

    /// <summary>The workload name without the chart's verb, wrapped onto short lines.</summary>
    private static string TickLabel(WorkloadGroup group, bool keepVerb)
    {
        var name = group.Workload;
        if (!keepVerb && name.StartsWith(group.Verb + " ", StringComparison.Ordinal))
        {
            name = name[(group.Verb.Length + 1)..];
        }

        var lines = new List<string>();
        var current = "";
        foreach (var word in name.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.Length > 0 && current.Length + word.Length >= 16)
            {
                lines.Add(current);
                current = "";
            }

            current = current.Length == 0 ? word : current + " " + word;
        }

        lines.Add(current);
        return string.Join('\n', lines);
    }

    private Color ColorOf(string label)
    {
        var index = 0;
        for (var i = 0; i < allLabels.Count; i++)
        {
            if (allLabels[i] == label)
            {
                index = i;
            }
        }

        return _palette.GetColor(index);
    }
}
