// The read path: stitches a fork's inherited range from its source chain, then the stream's own
// records from three tiers: the hot tail in memory (recent), PostgreSQL (older), and the archive
// (oldest, below the stream's archive frontier: Parquet objects located through the manifest),
// cut to a chunk budget. A range that moves from PostgreSQL to the archive while it is being read
// is found again in the archive.
using Ursula.Archive.Format;
using Ursula.Archive.Reading;
using Ursula.Archive.Storage;
using Ursula.Server.Streams;

namespace Ursula.Server.State.Reading;

public sealed class StreamDataReader(StreamCatalog catalog, IRecordSource cold, ArchiveReader archive, ILogger<StreamDataReader> logger)
{
    private static readonly TimeSpan ArchiveRetryAfter = TimeSpan.FromSeconds(5);

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
            await FetchAsync(handle, position, cap, budget.Remaining, records, cancellationToken);
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
    /// How many units (bytes or messages) the record holding <paramref name="position"/> has from
    /// there on, through the fork chain and every tier; 0 at or past the tail. A fork's sub-offset
    /// must stay within it.
    /// </summary>
    public async ValueTask<long> ExtentAfterAsync(StreamHandle handle, long position, CancellationToken cancellationToken)
    {
        var meta = handle.Meta;
        if (position >= meta.Tail || position < 0)
        {
            return 0;
        }

        if (meta.Fork is { } fork && position < fork.Position)
        {
            var extent = catalog.TryGetById(fork.SourceId, out var source) ? await ExtentAfterAsync(source, position, cancellationToken) : 0;
            return Math.Min(extent, fork.Position - position);
        }

        var records = new List<DataRecord>(1);
        await FetchAsync(handle, position, meta.Tail, 1, records, cancellationToken);
        return records.Count > 0 && records[0].Start <= position ? records[0].End - position : 0;
    }

    /// <summary>Records of the stream's own range from <paramref name="position"/>, from the tier that holds it.</summary>
    private async ValueTask FetchAsync(StreamHandle handle, long position, long cap, long maxBytes, List<DataRecord> records, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (handle.Data.TryCollect(position, cap, maxBytes, records))
            {
                return;
            }

            var archivedTo = handle.Meta.ArchivedTo;
            if (position < archivedTo)
            {
                records.AddRange(await ReadArchivedAsync(handle, position, Math.Min(cap, archivedTo), maxBytes, cancellationToken));
                return;
            }

            records.AddRange(await cold.ReadAsync(handle.Id, position, Math.Min(cap, handle.Data.FirstPosition), maxBytes, cancellationToken));
            if ((records.Count > 0 && records[0].Start <= position) || handle.Meta.ArchivedTo <= position)
            {
                return;
            }

            // Archived (and gone from PostgreSQL) while this read ran: it is in the archive now.
            records.Clear();
        }
    }

    /// <summary>Records of [from, to) below the stream's archive frontier, from the objects its manifest names.</summary>
    private async ValueTask<IReadOnlyList<DataRecord>> ReadArchivedAsync(StreamHandle handle, long from, long to, long maxBytes, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var entries = handle.Archive;
            var covering = Covering(entries, from, to);
            if (covering.Count == 0)
            {
                return [];
            }

            try
            {
                var records = await archive.ReadAsync(covering, from, to, maxBytes, cancellationToken);
                return records.Select(ToDataRecord).ToList();
            }
            catch (ObjectStoreException e) when (e.NotFound && attempt == 0 && !ReferenceEquals(entries, handle.Archive))
            {
                // Compacted into another object while this read ran: the manifest names the new one.
            }
            catch (ObjectStoreException e)
            {
                ReadingLog.ArchiveReadFailed(logger, handle.Meta.Path, from, e.Message, e);
                throw new ServiceUnavailableException($"The archive holding this part of the stream is unreachable ({e.Store}); retry shortly", ArchiveRetryAfter, e);
            }
        }
    }

    private static List<Ursula.Archive.Manifest.ManifestEntry> Covering(Ursula.Archive.Manifest.ManifestEntry[] entries, long from, long to)
    {
        // Entries are in position order and do not overlap: find the first that ends after `from`.
        int lo = 0, hi = entries.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (entries[mid].End <= from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var covering = new List<Ursula.Archive.Manifest.ManifestEntry>();
        for (var i = lo; i < entries.Length && entries[i].Start < to; i++)
        {
            covering.Add(entries[i]);
        }

        return covering;
    }

    private static DataRecord ToDataRecord(ArchiveRecord record) =>
        new(record.Start, record.End, record.Payload, record.AppendedAtMs, record.LogIndex, record.Producer?.Id, record.Producer?.Epoch, record.Producer?.Seq);

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
