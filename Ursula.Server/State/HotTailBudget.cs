// Bounds the memory of all hot tails on a node. Records are queued in apply order; when the total
// exceeds the budget the oldest are dropped from their stream's hot tail, but only once PostgreSQL
// has flushed them, so a reader can always find a record in one tier or the other.
namespace Ursula.Server.State;

public sealed class HotTailBudget(long maxBytes, long maxUnflushedBytes = long.MaxValue)
{
    private readonly Lock gate = new();
    private readonly Queue<(StreamData Data, DataRecord Record)> queue = new();
    private long bytes;
    private long flushedIndex;

    public long Bytes => Interlocked.Read(ref bytes);

    public long FlushedIndex => Interlocked.Read(ref flushedIndex);

    /// <summary>
    /// True when records PostgreSQL has not taken yet hold more memory than allowed: new writes
    /// should wait (503) until PostgreSQL catches up, instead of growing memory without bound.
    /// </summary>
    public bool IsOverloaded => Bytes > Math.Max(maxBytes, maxUnflushedBytes);

    public void Track(StreamData data, DataRecord record)
    {
        lock (gate)
        {
            queue.Enqueue((data, record));
            bytes += record.Payload.Length;
        }
    }

    public void MarkFlushed(long index)
    {
        Interlocked.Exchange(ref flushedIndex, index);
        Trim();
    }

    private long sharedFrameBytes;

    /// <summary>Bytes of encoded SSE frames that streams keep for their live readers to share.</summary>
    public long SharedFrameBytes => Interlocked.Read(ref sharedFrameBytes);

    /// <summary>
    /// Admits a shared frame of <paramref name="size"/> bytes when it fits in what the hot tails
    /// leave of the budget; false means the caller sends it without keeping it. Read path only:
    /// frames never evict records and never refuse writes.
    /// </summary>
    public bool TryAdmitSharedFrame(long size)
    {
        while (true)
        {
            var held = Interlocked.Read(ref sharedFrameBytes);
            if (Bytes + held + size > maxBytes)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref sharedFrameBytes, held + size, held) == held)
            {
                return true;
            }
        }
    }

    public void ReleaseSharedFrame(long size) => Interlocked.Add(ref sharedFrameBytes, -size);

    public void Trim()
    {
        lock (gate)
        {
            var flushed = FlushedIndex;
            while (bytes > maxBytes && queue.TryPeek(out var oldest))
            {
                if (oldest.Record.LogIndex > flushed)
                {
                    return;
                }

                queue.Dequeue();
                bytes -= oldest.Record.Payload.Length;

                // False when the stream was deleted or the record already left: nothing to free.
                oldest.Data.TryEvict(oldest.Record, flushed);
            }
        }
    }
}
