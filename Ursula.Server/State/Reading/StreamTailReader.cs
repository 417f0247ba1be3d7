// The one tail reader behind every live surface (long-poll, SSE, the SignalR hub): catch-up from an
// offset through StreamDataReader's tiers, then live, woken by the stream's signal, ending on
// closure or deletion. Live readers of one stream at one position share a single read.
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Ursula.Server.State.Reading;

public sealed class StreamTailReader(StreamDataReader reader, TimeProvider time, LiveReaderRegistry live)
{
    /// <summary>
    /// Reads a stream from <paramref name="from"/> (at most its tail) until it is closed and fully
    /// read, deleted, or the enumeration is cancelled. Yields every data chunk once, in order; an
    /// <see cref="TailItemKind.UpToDate"/> item each time the reader reaches a new tail position
    /// without data (and once more when the stream closes there); keep-alives when asked for.
    /// </summary>
    public async IAsyncEnumerable<TailItem> ReadAsync(
        StreamHandle handle, long from, TailReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var position = from;
        var reported = -1L;
        var lastYield = time.GetTimestamp();
        var variant = options.MaxChunkBytes.ToString(CultureInfo.InvariantCulture);
        var ticked = options.Ticked;
        if (ticked)
        {
            live.Attach(handle);
        }

        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Taken before the state it guards is read, so no pulse falls between the check and the wait.
                var pulse = handle.Signal.NextPulse;
                var meta = handle.Meta;
                if (handle.Removed || meta.SoftDeleted)
                {
                    yield return new TailItem(TailItemKind.Gone, meta, position, null);
                    yield break;
                }

                if (position < meta.Tail)
                {
                    var key = new FrameKey(position, meta.Tail, meta.Closed, variant);
                    var slice = handle.Slices.TryGet(key);
                    if (slice is null)
                    {
                        slice = await reader.ReadAsync(handle, meta, position, options.MaxChunkBytes, cancellationToken);
                        handle.Slices.Store(key, slice);
                    }

                    if (slice.IsEmpty)
                    {
                        // Deleted while it was read (its records left with it), or a fork lost its source.
                        yield return new TailItem(TailItemKind.Gone, handle.Meta, position, null);
                        yield break;
                    }

                    position = slice.Next;
                    reported = position;
                    var item = new TailItem(TailItemKind.Data, meta, position, slice);
                    yield return item;
                    lastYield = time.GetTimestamp();
                    if (item.Closed)
                    {
                        yield break;
                    }

                    continue;
                }

                if (reported != position || meta.Closed)
                {
                    reported = position;
                    yield return new TailItem(TailItemKind.UpToDate, meta, position, null);
                    lastYield = time.GetTimestamp();
                    if (meta.Closed)
                    {
                        yield break;
                    }
                }
                else if (options.KeepAlive is { } keepAlive && time.GetElapsedTime(lastYield) >= keepAlive)
                {
                    yield return new TailItem(TailItemKind.KeepAlive, meta, position, null);
                    lastYield = time.GetTimestamp();
                }

                if (ticked)
                {
                    // New data, or the ticker about once a second, wakes every reader of the stream from this one task.
                    await pulse;
                }
                else
                {
                    await pulse.WaitAsync(cancellationToken);
                }
            }
        }
        finally
        {
            if (ticked)
            {
                live.Detach(handle);
            }
        }
    }
}
