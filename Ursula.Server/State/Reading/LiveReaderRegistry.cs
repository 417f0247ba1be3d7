// The streams that have ticked live readers (SSE, hub) attached right now, so that the once-a-second
// ticker visits only those instead of every stream of the node: with 100,000 idle streams and a
// handful of readers it wakes a handful. When a stream's last live reader leaves, its shared SSE
// frames are dropped (and their bytes given back to the hot-tail budget), so idle streams keep none.
using System.Collections.Concurrent;

namespace Ursula.Server.State.Reading;

public sealed class LiveReaderRegistry(HotTailBudget budget)
{
    private readonly ConcurrentDictionary<StreamHandle, int> readers = new(ReferenceEqualityComparer.Instance);

    /// <summary>Streams with at least one ticked live reader; enumerating does not copy or lock the set.</summary>
    public IEnumerable<StreamHandle> Streams => readers.Select(r => r.Key);

    public int Count => readers.Count;

    public void Attach(StreamHandle handle)
    {
        handle.AttachLiveReader();
        readers.AddOrUpdate(handle, 1, static (_, n) => n + 1);
    }

    public void Detach(StreamHandle handle)
    {
        handle.DetachLiveReader();
        while (readers.TryGetValue(handle, out var n))
        {
            if (n > 1 ? readers.TryUpdate(handle, n - 1, n) : readers.TryRemove(new KeyValuePair<StreamHandle, int>(handle, n)))
            {
                if (n <= 1)
                {
                    // No live reader left: the stream's shared SSE frames go, and their bytes back
                    // to the budget; so do its shared reads.
                    foreach (var frame in handle.SseFrames.Clear())
                    {
                        budget.ReleaseSharedFrame(frame.Length);
                    }

                    handle.Slices.Clear();
                }

                return;
            }
        }
    }
}
