// Cursors for CDN collapsing: the number of 20-second intervals since 2024-10-09T00:00:00Z, and
// never at or below the cursor the client echoed (jump ahead by 1-3600 s of jitter instead), so
// that cached live responses can never loop.
namespace Ursula.Server.Protocol;

public sealed class ResponseCursor(TimeProvider time)
{
    public const int IntervalSeconds = 20;
    private const int MaxJitterSeconds = 3600;
    private static readonly DateTimeOffset Epoch = new(2024, 10, 9, 0, 0, 0, TimeSpan.Zero);

    public long CurrentInterval() => (long)Math.Floor((time.GetUtcNow() - Epoch).TotalSeconds / IntervalSeconds);

    private (long Interval, string Text) cached = (-1, string.Empty);

    public string Next(string? clientCursor)
    {
        var current = CurrentInterval();
        if (string.IsNullOrEmpty(clientCursor) || !long.TryParse(clientCursor, out var client) || client < current)
        {
            // Every live response of an interval carries the same text; format it once per interval.
            var last = cached;
            if (last.Interval != current)
            {
                last = (current, current.ToString(System.Globalization.CultureInfo.InvariantCulture));
                cached = last;
            }

            return last.Text;
        }

        var jitterSeconds = Random.Shared.Next(1, MaxJitterSeconds + 1);
        var jitterIntervals = Math.Max(1, (jitterSeconds + IntervalSeconds - 1) / IntervalSeconds);
        return (client + jitterIntervals).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
