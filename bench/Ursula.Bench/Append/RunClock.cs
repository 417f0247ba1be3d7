using System.Diagnostics;

namespace Ursula.Bench.Append;

/// <summary>
/// Monotonic (Stopwatch) timeline of a run: warm-up from <see cref="Start"/> to
/// <see cref="MeasureStart"/>, then the measured window up to <see cref="End"/>.
/// </summary>
public sealed class RunClock
{
    public RunClock(TimeSpan warmup, TimeSpan duration)
    {
        Start = Stopwatch.GetTimestamp();
        MeasureStart = Start + ToTicks(warmup);
        End = MeasureStart + ToTicks(duration);
        Duration = duration;
    }

    public long Start { get; }

    public long MeasureStart { get; }

    public long End { get; }

    public TimeSpan Duration { get; }

    public bool IsMeasured(long timestamp) => timestamp >= MeasureStart && timestamp < End;

    public static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    /// <summary>Waits until the given Stopwatch timestamp (never early; up to about a millisecond late).</summary>
    public static async ValueTask DelayUntilAsync(long timestamp, CancellationToken ct)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            // Task.Delay truncates to whole milliseconds: round up so we never send early
            // (and never spin, which would steal CPU from a server on the same machine).
            var ms = Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, ms)), ct);
        }
    }
}
