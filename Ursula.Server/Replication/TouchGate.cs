// Sliding-TTL touches, deduplicated before they become log entries. A read of a TTL stream renews
// its expiry through a replicated Touch command; without a gate every read (on a follower, every
// read it serves) would be one more command. The gate lets through at most one touch per stream
// per sixteenth of its TTL, measured on this node's monotonic clock, so the renewal lags a read
// by at most that much and a stream read at least that often never expires. Entries older than
// their window are dropped as the table grows, so it holds only streams touched within it.
using System.Collections.Concurrent;
using Ursula.Server.State;

namespace Ursula.Server.Replication;

public sealed class TouchGate(TimeProvider time)
{
    /// <summary>The fraction of the TTL within which a second touch of a stream is dropped.</summary>
    public const int TtlFraction = 16;

    private readonly ConcurrentDictionary<long, Window> recent = new();
    private readonly long origin = time.GetTimestamp();
    private int pruneAt = 1024;

    /// <summary>Streams whose last touch the gate remembers.</summary>
    public int TrackedStreams => recent.Count;

    /// <summary>Whether a read of <paramref name="meta"/> should renew its TTL through the log now.</summary>
    public bool ShouldTouch(StreamMeta meta)
    {
        if (meta.TtlSeconds is not { } ttl)
        {
            return false;
        }

        // The monotonic clock: a wall clock stepped back must not hold every touch back with it.
        var now = (long)time.GetElapsedTime(origin).TotalMilliseconds;
        var window = ttl * 1000 / TtlFraction;
        if (window <= 0)
        {
            // A TTL of 0: the stream is expired already; nothing to renew.
            return false;
        }

        while (true)
        {
            if (!recent.TryGetValue(meta.Id, out var last))
            {
                if (recent.TryAdd(meta.Id, new Window(now, window)))
                {
                    PruneIfLarge(now);
                    return true;
                }

                continue;
            }

            if (now - last.AtMs < window)
            {
                return false;
            }

            // Another read may win the same slot; exactly one of them touches.
            if (recent.TryUpdate(meta.Id, new Window(now, window), last))
            {
                return true;
            }
        }
    }

    /// <summary>Forgets the stream's last touch, so that the next read touches again (the touch was not sent).</summary>
    public void Forget(long streamId) => recent.TryRemove(streamId, out _);

    private void PruneIfLarge(long now)
    {
        if (recent.Count < Volatile.Read(ref pruneAt))
        {
            return;
        }

        foreach (var (id, last) in recent)
        {
            if (now - last.AtMs >= last.LengthMs)
            {
                recent.TryRemove(new KeyValuePair<long, Window>(id, last));
            }
        }

        // Amortised: the next pass waits until the table has doubled since this one.
        Volatile.Write(ref pruneAt, Math.Max(1024, recent.Count * 2));
    }

    private readonly record struct Window(long AtMs, long LengthMs);
}
