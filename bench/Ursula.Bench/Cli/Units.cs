using System.Globalization;

namespace Ursula.Bench.Cli;

/// <summary>
/// Parsing and formatting of durations ("500ms", "10s", "2m", plain number = seconds) and sizes
/// ("256", "64KB", "64MB", "1GB"; K/M/G are binary: 1 KB = 1024 bytes). Throughput in the output
/// uses the same binary megabyte (MB/s = MiB/s).
/// </summary>
public static class Units
{
    public const double BytesPerMegabyte = 1024.0 * 1024.0;

    public static TimeSpan ParseDuration(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        (string number, double scaleMs) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.Ordinal) => (s[..^2], 1.0),
            _ when s.EndsWith("us", StringComparison.Ordinal) => (s[..^2], 0.001),
            _ when s.EndsWith('s') => (s[..^1], 1000.0),
            _ when s.EndsWith('m') => (s[..^1], 60_000.0),
            _ when s.EndsWith('h') => (s[..^1], 3_600_000.0),
            _ => (s, 1000.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new UsageException($"invalid duration '{text}' (examples: 500ms, 10s, 2m)");
        }

        return TimeSpan.FromMilliseconds(value * scaleMs);
    }

    public static long ParseSize(string text)
    {
        var s = text.Trim().ToUpperInvariant();
        if (s.EndsWith("IB", StringComparison.Ordinal))
        {
            s = s[..^2] + "B";
        }

        (string number, long scale) = s switch
        {
            _ when s.EndsWith("KB", StringComparison.Ordinal) => (s[..^2], 1024L),
            _ when s.EndsWith("MB", StringComparison.Ordinal) => (s[..^2], 1024L * 1024),
            _ when s.EndsWith("GB", StringComparison.Ordinal) => (s[..^2], 1024L * 1024 * 1024),
            _ when s.EndsWith('K') => (s[..^1], 1024L),
            _ when s.EndsWith('M') => (s[..^1], 1024L * 1024),
            _ when s.EndsWith('G') => (s[..^1], 1024L * 1024 * 1024),
            _ when s.EndsWith('B') => (s[..^1], 1L),
            _ => (s, 1L),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new UsageException($"invalid size '{text}' (examples: 256, 64KB, 64MB)");
        }

        return (long)Math.Round(value * scale);
    }

    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1024L * 1024 * 1024 when bytes % (1024L * 1024 * 1024) == 0 => $"{bytes / (1024L * 1024 * 1024)}GB",
        >= 1024L * 1024 when bytes % (1024L * 1024) == 0 => $"{bytes / (1024L * 1024)}MB",
        >= 1024L when bytes % 1024 == 0 => $"{bytes / 1024}KB",
        _ => $"{bytes}B",
    };

    public static string FormatDuration(TimeSpan span) =>
        span.TotalMilliseconds % 1000 == 0
            ? $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
            : $"{span.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

    public static string Number(double value, int decimals = 1) =>
        value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
