using System.Globalization;

namespace Ursula.Bench.Compare.Wrk;

/// <summary>
/// What one wrk run reports through the "wrk-result" line of append.lua: request and error counts
/// and latency percentiles from wrk's own histogram (microseconds). wrk counts a response with a
/// status outside 2xx/3xx in <see cref="Requests"/> and in <see cref="StatusErrors"/>.
/// </summary>
public sealed record WrkResult(
    long Requests,
    double DurationSeconds,
    long Bytes,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long StatusErrors,
    long Timeouts,
    double LatMeanUs,
    long LatP50Us,
    long LatP90Us,
    long LatP99Us,
    long LatP999Us,
    long LatMaxUs)
{
    public const string LinePrefix = "wrk-result ";

    /// <summary>Requests answered 2xx: the acknowledged appends.</summary>
    public long Succeeded => Math.Max(0, Requests - StatusErrors);

    public long Errors => ConnectErrors + ReadErrors + WriteErrors + StatusErrors + Timeouts;

    public double SucceededPerSecond => DurationSeconds > 0 ? Succeeded / DurationSeconds : 0;

    /// <summary>The version from the first line of `wrk -v`, without its copyright notice; null if there is none.</summary>
    public static string? VersionFrom(string output)
    {
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("wrk ", StringComparison.Ordinal));
        var copyright = line?.IndexOf(" Copyright", StringComparison.Ordinal) ?? -1;
        return copyright > 0 ? line![..copyright] : line;
    }

    /// <summary>Finds the result line in wrk's output; null when there is none (wrk failed before done()).</summary>
    public static WrkResult? Parse(string output)
    {
        var line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(LinePrefix, StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var pair in line[LinePrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !double.TryParse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"bad field '{pair}' in '{line}'");
            }

            values[pair[..eq]] = value;
        }

        long Count(string key) => values.TryGetValue(key, out var v) ? (long)v : throw new FormatException($"'{key}' missing in '{line}'");
        return new WrkResult(
            Count("requests"),
            Count("duration_us") / 1e6,
            Count("bytes"),
            Count("errors_connect"),
            Count("errors_read"),
            Count("errors_write"),
            Count("errors_status"),
            Count("errors_timeout"),
            values.GetValueOrDefault("lat_mean_us"),
            Count("lat_p50_us"),
            Count("lat_p90_us"),
            Count("lat_p99_us"),
            Count("lat_p999_us"),
            Count("lat_max_us"));
    }
}
