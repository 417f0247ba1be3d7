using System.Diagnostics;
using HdrHistogram;

namespace Ursula.Bench.Metrics;

/// <summary>
/// Percentiles of a latency histogram recorded in microseconds, plus helpers to create such
/// histograms and to convert Stopwatch ticks to microseconds.
/// </summary>
public sealed record LatencySummary(long Count, double MeanUs, long P50Us, long P90Us, long P99Us, long P999Us, long MaxUs)
{
    /// <summary>Highest trackable latency: 10 minutes in microseconds; larger values are clamped.</summary>
    public const long HighestUs = 600_000_000;

    public static LongHistogram NewHistogram() => new(1, HighestUs, 3);

    public static LongConcurrentHistogram NewConcurrentHistogram() => new(1, HighestUs, 3);

    public static long TicksToUs(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    public static long ClampUs(long us) => Math.Clamp(us, 1, HighestUs);

    public static void Record(HistogramBase histogram, long elapsedTicks) =>
        histogram.RecordValue(ClampUs(TicksToUs(elapsedTicks)));

    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }

        return new LatencySummary(
            histogram.TotalCount,
            histogram.GetMean(),
            histogram.GetValueAtPercentile(50),
            histogram.GetValueAtPercentile(90),
            histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue());
    }

    /// <summary>Adds p50/p90/p99/p999/max/mean as metrics named prefix + "P50Us" etc.</summary>
    public void AddTo(Results.BenchResult result, string prefix)
    {
        result.Metric(prefix + "P50Us", P50Us);
        result.Metric(prefix + "P90Us", P90Us);
        result.Metric(prefix + "P99Us", P99Us);
        result.Metric(prefix + "P999Us", P999Us);
        result.Metric(prefix + "MaxUs", MaxUs);
        result.Metric(prefix + "MeanUs", Math.Round(MeanUs, 1));
    }

    public override string ToString() =>
        Count == 0
            ? "no samples"
            : $"p50={FormatUs(P50Us)} p90={FormatUs(P90Us)} p99={FormatUs(P99Us)} p99.9={FormatUs(P999Us)} max={FormatUs(MaxUs)} (n={Count})";

    public static string FormatUs(double us) => us switch
    {
        >= 1_000_000 => $"{us / 1_000_000:0.00}s",
        >= 1_000 => $"{us / 1_000:0.00}ms",
        _ => $"{us:0}us",
    };
}
