using Ursula.Bench.Cli;

namespace Ursula.Bench.Report;

/// <summary>Two labels compared in the ratio table: each cell is mean(<see cref="Numerator"/>) / mean(<see cref="Denominator"/>).</summary>
public sealed record LabelPair(string Numerator, string Denominator)
{
    public string Title => $"{Numerator} / {Denominator}";

    /// <summary>mean(numerator) / mean(denominator) of a metric in one workload; null when either has no runs or the denominator is 0.</summary>
    public double? RatioIn(WorkloadGroup group, string metric) =>
        group.Get(Numerator, metric) is { } a && group.Get(Denominator, metric) is { } b && b.Mean != 0
            ? a.Mean / b.Mean
            : null;

    /// <summary>Parses "a/b,c/d"; an empty text is no pairs.</summary>
    public static IReadOnlyList<LabelPair> ParseList(string text)
    {
        var pairs = new List<LabelPair>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == part.Length - 1)
            {
                throw new UsageException($"--ratios expects LABEL/LABEL pairs, got '{part}'");
            }

            pairs.Add(new LabelPair(part[..slash].Trim(), part[(slash + 1)..].Trim()));
        }

        return pairs;
    }
}
