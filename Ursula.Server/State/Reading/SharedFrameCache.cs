// Values per stream position (a read slice, an encoded SSE frame), shared by every live reader
// that reaches the same position with the same view of the stream: a thousand live readers of a
// stream cost one read and one encoding per append, not a thousand. A few positions are kept, not
// one: with appends arriving faster than a thousand readers are served, the readers stand at two
// or three positions at once (those already served and those not yet), and with a single entry
// they pushed each other's value out, so about one in ten read and encoded for itself.
namespace Ursula.Server.State.Reading;

public sealed class SharedFrameCache<T>
    where T : class
{
    /// <summary>Positions kept per stream.</summary>
    public const int Capacity = 4;

    private readonly Lock gate = new();

    // Allocated on the first store: most streams of a node never have a live reader.
    private (FrameKey Key, T Value)[]? entries;
    private int count;

    public T? TryGet(FrameKey key)
    {
        lock (gate)
        {
            var slot = IndexOf(key);
            return slot < 0 ? null : entries![slot].Value;
        }
    }

    public void Store(FrameKey key, T value) => TryReplace(key, value, out _);

    /// <summary>
    /// Keeps <paramref name="value"/>, pushing out the value at the oldest position when all places
    /// are taken, unless it is older itself; true when kept, with the value it pushed out or
    /// replaced (for callers that account for the bytes they keep).
    /// </summary>
    public bool TryReplace(FrameKey key, T value, out T? replaced)
    {
        lock (gate)
        {
            entries ??= new (FrameKey, T)[Capacity];
            var slot = IndexOf(key);
            if (slot < 0 && count < Capacity)
            {
                replaced = null;
                entries[count++] = (key, value);
                return true;
            }

            if (slot < 0)
            {
                // Keep the values for the newest data: that is where live subscribers are; a
                // catch-up reader far behind does not push them out.
                slot = 0;
                for (var i = 1; i < count; i++)
                {
                    if (entries[i].Key.From < entries[slot].Key.From)
                    {
                        slot = i;
                    }
                }

                if (key.From < entries[slot].Key.From)
                {
                    replaced = null;
                    return false;
                }
            }

            replaced = entries[slot].Value;
            entries[slot] = (key, value);
            return true;
        }
    }

    /// <summary>Drops every kept value (the last live reader left) and returns them.</summary>
    public T[] Clear()
    {
        lock (gate)
        {
            if (count == 0)
            {
                return [];
            }

            var values = new T[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = entries![i].Value;
            }

            count = 0;
            entries = null;
            return values;
        }
    }

    /// <summary>Where <paramref name="key"/> is kept, or -1; called under the gate.</summary>
    private int IndexOf(FrameKey key)
    {
        for (var i = 0; i < count; i++)
        {
            if (entries![i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// What a shared value depends on: where the read started, the tail and closure it saw, and a
/// variant (the chunk size of a read, the cursor of an SSE frame).
/// </summary>
public readonly record struct FrameKey(long From, long Tail, bool Closed, string Variant);
