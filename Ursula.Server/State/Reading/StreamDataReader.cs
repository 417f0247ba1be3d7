// The read path: stitches a fork's inherited range from its source chain, then the stream's own
// records from PostgreSQL (older) and the hot tail (recent), cut to a chunk budget.
using Ursula.Server.Streams;

namespace Ursula.Server.State.Reading;

public sealed class StreamDataReader(StreamCatalog catalog, IRecordSource cold, ILogger<StreamDataReader> logger)
{
    /// <summary>Reads [from, meta.Tail) of a stream up to about maxBytes of payload.</summary>
    public async ValueTask<ReadSlice> ReadAsync(StreamHandle handle, StreamMeta meta, long from, long maxBytes, CancellationToken cancellationToken)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        var budget = new Budget(maxBytes);
        var next = await ReadRangeAsync(handle, meta, from, meta.Tail, meta.IsJson, parts, budget, cancellationToken);
        return new ReadSlice(parts, from, next, budget.Used);
    }

    private async ValueTask<long> ReadRangeAsync(StreamHandle handle, StreamMeta meta, long from, long cap, bool json, List<ReadOnlyMemory<byte>> parts, Budget budget, CancellationToken cancellationToken)
    {
        var position = from;
        if (meta.Fork is { } fork && position < fork.Position)
        {
            var inheritedCap = Math.Min(cap, fork.Position);
            if (!catalog.TryGetById(fork.SourceId, out var source))
            {
                return position;
            }

            position = await ReadRangeAsync(source, source.Meta, position, inheritedCap, json, parts, budget, cancellationToken);
            if (position < inheritedCap)
            {
                return position;
            }
        }

        var records = new List<DataRecord>();
        while (position < cap && !budget.Exhausted)
        {
            records.Clear();
            if (!handle.Data.TryCollect(position, cap, budget.Remaining, records))
            {
                var coldCap = Math.Min(cap, handle.Data.FirstPosition);
                records.AddRange(await cold.ReadAsync(handle.Id, position, coldCap, budget.Remaining, cancellationToken));
            }

            if (records.Count == 0)
            {
                ThrowUnlessRemoved(handle, position, cap, null);
                break;
            }

            foreach (var record in records)
            {
                if (budget.Exhausted || position >= cap)
                {
                    break;
                }

                if (record.Start > position || record.End <= position)
                {
                    ThrowUnlessRemoved(handle, position, cap, record);
                    return position;
                }

                position = json
                    ? TakeMessages(record, position, cap, parts, budget)
                    : TakeBytes(record, position, cap, parts, budget);
            }
        }

        return position;
    }

    /// <summary>
    /// The stream's metadata says data exists that no tier holds: stored state and metadata
    /// disagree. That is never the client's fault and must not look like a 500 or a short read.
    /// </summary>
    private void ThrowUnlessRemoved(StreamHandle handle, long position, long cap, DataRecord? found)
    {
        if (handle.Removed)
        {
            // Deleted while this read ran: its records left with it; the reader ends.
            return;
        }

        ReadingLog.StoredDataMissing(logger, handle.Meta.Path, handle.Id, position, cap, found?.Start ?? -1, found?.End ?? -1, handle.Data.FirstPosition);
        throw new ServiceUnavailableException(
            "This node's stored data for the stream is incomplete; the error is logged. Retry, or read from another node",
            TimeSpan.FromSeconds(5));
    }

    private static long TakeBytes(DataRecord record, long position, long cap, List<ReadOnlyMemory<byte>> parts, Budget budget)
    {
        var start = (int)(position - record.Start);
        var end = (int)(Math.Min(cap, record.End) - record.Start);
        end = (int)Math.Min(end, start + budget.Remaining);
        if (end > start)
        {
            parts.Add(record.Payload.AsMemory(start, end - start));
            budget.Spend(end - start);
        }

        return record.Start + end;
    }

    private static long TakeMessages(DataRecord record, long position, long cap, List<ReadOnlyMemory<byte>> parts, Budget budget)
    {
        ReadOnlyMemory<byte> payload = record.Payload;
        var skip = (int)(position - record.Start);
        var take = (int)(Math.Min(cap, record.End) - position);
        if (skip > 0)
        {
            // Starting inside a batch (only a sub-offset fork boundary does this): skip the separator too.
            payload = payload[(JsonMessages.PrefixLength(payload.Span, skip) + 1)..];
        }

        if (position + take < record.End)
        {
            payload = payload[..JsonMessages.PrefixLength(payload.Span, take)];
        }

        if (take > 0)
        {
            parts.Add(payload);
            budget.Spend(Math.Max(1, payload.Length));
        }

        return position + take;
    }

    private sealed class Budget(long max)
    {
        public long Used { get; private set; }

        public long Remaining => Math.Max(0, max - Used);

        public bool Exhausted => Used >= max;

        public void Spend(long bytes) => Used += bytes;
    }
}
