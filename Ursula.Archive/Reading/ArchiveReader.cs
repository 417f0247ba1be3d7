// The read tier below PostgreSQL: given manifest entries and a position range, it reads only the
// row groups the entries list for that range (range reads of their column chunks), and returns
// whole appends in position order in the server's record form: a JSON append's messages joined
// by commas again, byte for byte as they were appended. Like the server's record source, it
// returns every append overlapping the range (the first may start before it) up to about
// maxBytes of payload, always at least one.
using System.Runtime.CompilerServices;
using Parquet;
using Ursula.Archive.Format;
using Ursula.Archive.Manifest;
using Ursula.Archive.Storage;

namespace Ursula.Archive.Reading;

public sealed partial class ArchiveReader(IObjectStore store, ArchiveReadCache cache) : IDisposable
{
    // The columns DecodeAsync reads (ArchiveSchema.ReaderColumns less the int64 positions, which
    // the record form does not need): only their chunks are fetched.
    private static readonly string[] DecodedColumns =
    [
        .. new Parquet.Schema.DataField[]
        {
            ArchiveSchema.StreamId, ArchiveSchema.RecordStart, ArchiveSchema.RecordEnd, ArchiveSchema.AppendedAt, ArchiveSchema.LogIndex,
            ArchiveSchema.ProducerId, ArchiveSchema.ProducerEpoch, ArchiveSchema.ProducerSeq, ArchiveSchema.Payload,
        }.Select(c => c.Name),
    ];

    /// <summary>How many opened objects (stream and parsed footer) are kept between reads, for all objects together.</summary>
    internal const int IdleObjectsKept = 16;

    private readonly IdleObjects idle = new(IdleObjectsKept);

    public ArchiveReader(IObjectStore store)
        : this(store, new ArchiveReadCache())
    {
    }

    public IObjectStore Store => store;

    public ArchiveReadCache Cache => cache;

    /// <summary>Appends of the entry's stream overlapping [from, to), in order, up to about maxBytes of payload.</summary>
    public Task<IReadOnlyList<ArchiveRecord>> ReadAsync(ManifestEntry entry, long from, long to, long maxBytes, CancellationToken cancellationToken) =>
        ReadAsync([entry], from, to, maxBytes, cancellationToken);

    /// <summary>The same across consecutive entries of one stream (as ManifestIndex.Find returns them).</summary>
    public async Task<IReadOnlyList<ArchiveRecord>> ReadAsync(IReadOnlyList<ManifestEntry> entries, long from, long to, long maxBytes, CancellationToken cancellationToken)
    {
        var records = new List<ArchiveRecord>();
        var overlapping = entries.Where(e => e.Overlaps(from, to)).OrderBy(e => e.Start).ToList();
        ReadAhead(overlapping, from, to);
        long used = 0;
        foreach (var entry in overlapping)
        {
            used += await ReadIntoAsync(entry, Math.Max(from, records.Count > 0 ? records[^1].End : from), to, maxBytes - used, records, cancellationToken);
            if (used >= maxBytes)
            {
                break;
            }
        }

        return records;
    }

    /// <summary>Every append of the entry, in order (what restore and compaction copy).</summary>
    public async IAsyncEnumerable<ArchiveRecord> ReadAllAsync(ManifestEntry entry, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var source = new LazyObject(this, entry.ObjectKey, entry.ObjectSize);
        foreach (var group in entry.RowGroups.OrderBy(g => g.Index))
        {
            var records = new List<ArchiveRecord>();
            var decoded = await GetRowGroupAsync(source, group.Index, cancellationToken);
            decoded.Take(entry.StreamId, entry.Start, entry.End, long.MaxValue, records);
            foreach (var record in records)
            {
                yield return record;
            }
        }
    }

    /// <summary>What an object holds, from its footer alone (one read of its tail, or the cache).</summary>
    public async Task<ObjectLayout> ReadLayoutAsync(string key, long? size, CancellationToken cancellationToken)
    {
        var length = size ?? (await store.HeadAsync(key, cancellationToken))?.Size
            ?? throw new ObjectStoreException(store.Description, key, "no such object", null, notFound: true);
        await using var source = await OpenAsync(key, length, cancellationToken);
        return ObjectLayout.From(source.Reader, length);
    }

    private async Task<long> ReadIntoAsync(ManifestEntry entry, long from, long to, long maxBytes, List<ArchiveRecord> records, CancellationToken cancellationToken)
    {
        from = Math.Max(from, entry.Start);
        to = Math.Min(to, entry.End);
        if (from >= to)
        {
            return 0;
        }

        long used = 0;
        await using var source = new LazyObject(this, entry.ObjectKey, entry.ObjectSize);
        foreach (var group in entry.RowGroupsFor(from, to).OrderBy(g => g.Index))
        {
            var decoded = await GetRowGroupAsync(source, group.Index, cancellationToken);
            used += decoded.Take(entry.StreamId, from, to, maxBytes - used, records);
            if (used >= maxBytes)
            {
                break;
            }
        }

        return used;
    }

    private async Task<OpenObject> OpenAsync(string key, long size, CancellationToken cancellationToken)
    {
        var stream = await CachedObjectStream.OpenAsync(store, key, size, cache, cancellationToken);
        try
        {
            var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: false, cancellationToken: cancellationToken);
            return new OpenObject(stream, reader);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ObjectStoreException)
        {
            await stream.DisposeAsync();
            throw new FormatException($"Object {key} is not a readable Parquet file: {ex.Message}", ex);
        }
    }

    /// <summary>An opened object kept from an earlier read, or a newly opened one.</summary>
    private async Task<OpenObject> RentAsync(string key, long size, CancellationToken cancellationToken)
    {
        if (idle.Take(key, size) is { } kept)
        {
            kept.Stream.Reuse(cancellationToken);
            return kept;
        }

        return await OpenAsync(key, size, cancellationToken);
    }

    private async ValueTask ReturnAsync(OpenObject open)
    {
        open.Stream.Release();
        if (idle.Put(open) is { } evicted)
        {
            await evicted.DisposeAsync();
        }
    }

    /// <summary>
    /// An object opened only when a row group it holds is not in the decoded cache. Opened objects
    /// go back to a small pool when the read ends, so the next read of the object neither fetches
    /// nor parses its footer again.
    /// </summary>
    private sealed class LazyObject(ArchiveReader owner, string key, long size) : IAsyncDisposable
    {
        private OpenObject? open;

        public string Key => key;

        public async Task<OpenObject> GetAsync(CancellationToken cancellationToken) =>
            open ??= await owner.RentAsync(key, size, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (open is not null)
            {
                await owner.ReturnAsync(open);
                open = null;
            }
        }
    }

    /// <summary>Opened objects not in use, most recently used first, at most capacity of them.</summary>
    private sealed class IdleObjects(int capacity)
    {
        private readonly Lock gate = new();
        private readonly LinkedList<OpenObject> objects = new();

        public OpenObject? Take(string key, long size)
        {
            lock (gate)
            {
                for (var node = objects.First; node is not null; node = node.Next)
                {
                    if (node.Value.Stream.Key == key && node.Value.Stream.Length == size)
                    {
                        objects.Remove(node);
                        return node.Value;
                    }
                }
            }

            return null;
        }

        /// <summary>Keeps the object; returns the one pushed out, for the caller to dispose.</summary>
        public OpenObject? Put(OpenObject open)
        {
            lock (gate)
            {
                objects.AddFirst(open);
                if (objects.Count > capacity && objects.Last is { } last)
                {
                    objects.RemoveLast();
                    return last.Value;
                }
            }

            return null;
        }
    }

    private sealed class OpenObject(CachedObjectStream stream, ParquetReader reader) : IAsyncDisposable
    {
        public CachedObjectStream Stream => stream;

        public ParquetReader Reader => reader;

        public async ValueTask DisposeAsync()
        {
            await reader.DisposeAsync();
            await stream.DisposeAsync();
        }
    }
}
