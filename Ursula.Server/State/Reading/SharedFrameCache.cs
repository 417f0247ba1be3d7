// One value per stream position (a read slice, an encoded SSE frame), shared by every live reader
// that reaches the same position with the same view of the stream: a thousand live readers of a
// stream cost one read and one encoding per append, not a thousand.
namespace Ursula.Server.State.Reading;

public sealed class SharedFrameCache<T>
    where T : class
{
    private readonly Lock gate = new();
    private (FrameKey Key, T Value)? last;

    public T? TryGet(FrameKey key)
    {
        lock (gate)
        {
            return last is { } f && f.Key == key ? f.Value : null;
        }
    }

    public void Store(FrameKey key, T value) => TryReplace(key, value, out _);

    /// <summary>
    /// Keeps <paramref name="value"/> unless an older position would push out a newer one; true
    /// when kept, with the value it replaced (for callers that account for the bytes they keep).
    /// </summary>
    public bool TryReplace(FrameKey key, T value, out T? replaced)
    {
        lock (gate)
        {
            // Keep the value for the newest data: that is where live subscribers are; a catch-up
            // reader far behind does not push it out.
            if (last is not { } f || key.From >= f.Key.From)
            {
                replaced = last?.Value;
                last = (key, value);
                return true;
            }

            replaced = null;
            return false;
        }
    }

    /// <summary>Drops the kept value (the last live reader left); returns it, or null.</summary>
    public T? Clear()
    {
        lock (gate)
        {
            var value = last?.Value;
            last = null;
            return value;
        }
    }
}

/// <summary>
/// What a shared value depends on: where the read started, the tail and closure it saw, and a
/// variant (the chunk size of a read, the cursor of an SSE frame).
/// </summary>
public readonly record struct FrameKey(long From, long Tail, bool Closed, string Variant);
