using System.Globalization;

namespace Ursula.Bench.Report;

/// <summary>Mean and spread of one metric over repeated runs.</summary>
public sealed record Stats(int Count, double Mean, double StdDev, double Min, double Max)
{
    public static Stats From(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var mean = values.Average();
        var variance = values.Count > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) : 0;
        return new Stats(values.Count, mean, Math.Sqrt(variance), values.Min(), values.Max());
    }

    /// <summary>"mean ± sd" (sample standard deviation); just the mean for a single run.</summary>
    public string Format() =>
        Count switch
        {
            0 => "-",
            1 => FormatNumber(Mean),
            _ => $"{FormatNumber(Mean)} ± {FormatNumber(StdDev)}",
        };

    public static string FormatNumber(double value)
    {
        var magnitude = Math.Abs(value);
        var format = magnitude switch
        {
            0 => "0",
            >= 1000 => "#,##0",
            >= 100 => "0.#",
            >= 1 => "0.##",
            _ => "0.####",
        };
        return value.ToString(format, CultureInfo.InvariantCulture);
    }
}
