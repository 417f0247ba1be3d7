using Ursula.Bench.Cli;

namespace Ursula.Bench.Report;

/// <summary>
/// The 'report' verb: reads JSON-lines results (from any number of labels and repeated runs) and
/// writes DIR/results.md plus PNG bar charts. Knows nothing about particular servers: the label
/// pairs to compare (--ratios) and the machine facts (--machine) come from the caller.
/// </summary>
public sealed class ReportCommand(ParsedArgs args, TextWriter log)
{
    public int Run()
    {
        var inputs = args.String("in").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var input in inputs)
        {
            if (!File.Exists(input))
            {
                throw new UsageException($"results file '{input}' not found");
            }
        }

        var machinePath = args.String("machine");
        var options = new ReportOptions(
            args.String("title"),
            machinePath.Length > 0 ? MachineInfo.Load(machinePath) : [],
            LabelPair.ParseList(args.String("ratios")));
        var records = ResultRecord.Load(inputs, log);
        if (records.Count == 0)
        {
            log.WriteLine("no results found");
            return 1;
        }

        var outDir = args.String("out");
        Directory.CreateDirectory(outDir);
        var groups = WorkloadGroup.Build(records);
        var labels = records.Select(r => r.Label).Distinct(StringComparer.Ordinal).ToList();
        var writer = new ChartWriter(labels);
        var charts = new List<string>();
        foreach (var spec in ChartSpec.Defaults)
        {
            if (writer.TryWrite(spec, groups, outDir))
            {
                charts.Add(spec.FileName);
            }
        }

        foreach (var missing in options.Ratios.SelectMany(p => new[] { p.Numerator, p.Denominator }).Distinct().Where(l => !labels.Contains(l)))
        {
            log.WriteLine($"report: --ratios names label '{missing}', which no run has; its ratios stay empty");
        }

        var markdown = MarkdownReport.Render(groups, charts, records.Count, options);
        var mdPath = Path.Combine(outDir, "results.md");
        File.WriteAllText(mdPath, markdown);
        log.WriteLine($"report: {records.Count} runs, {groups.Count} workloads, {labels.Count} labels -> {mdPath}");
        foreach (var chart in charts)
        {
            log.WriteLine($"  chart {Path.Combine(outDir, chart)}");
        }

        return 0;
    }
}
