using System.Diagnostics;

namespace Ursula.Bench.Append;

/// <summary>
/// Open-loop pacing shared by all writers: slot i is due at start + i / rate. A writer claims the
/// next slot, sleeps until it is due, and sends. If the server falls behind, due times stay in the
/// past and writers send back-to-back; latency measured from the due time then includes the queueing
/// delay a real open-loop client would see (no coordinated omission).
/// </summary>
public sealed class RatePacer(double ratePerSecond, long startTimestamp)
{
    private readonly double _ticksPerSlot = Stopwatch.Frequency / ratePerSecond;
    private long _next = -1;

    public double Rate { get; } = ratePerSecond;

    /// <summary>Claims the next slot and returns its due Stopwatch timestamp.</summary>
    public long NextDue()
    {
        var slot = Interlocked.Increment(ref _next);
        return startTimestamp + (long)(slot * _ticksPerSlot);
    }
}
