// One encoded live frame (for SSE: a data event and its control event) per stream position,
// shared by every subscriber that reaches the same position with the same view of the stream: a
// thousand live readers of a stream cost one read and one encoding per append, not a thousand.
namespace Ursula.Server.State.Reading;

public sealed class SharedFrameCache
{
    private readonly Lock gate = new();
    private Frame? last;

    public sealed record Frame(long From, long Tail, bool Closed, string Cursor, long Next, byte[] Bytes);

    public Frame? TryGet(long from, long tail, bool closed, string cursor)
    {
        lock (gate)
        {
            return last is { } f && f.From == from && f.Tail == tail && f.Closed == closed && f.Cursor == cursor ? f : null;
        }
    }

    public void Store(Frame frame)
    {
        lock (gate)
        {
            // Keep the frame for the newest data: that is where live subscribers are.
            if (last is null || frame.From >= last.From)
            {
                last = frame;
            }
        }
    }
}
