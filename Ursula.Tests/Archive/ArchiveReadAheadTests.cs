using Ursula.Archive.Format;
using Ursula.Archive.Manifest;
using Ursula.Archive.Reading;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ArchiveReadAheadTests : IDisposable
{
    private readonly TemporaryArchive archive = new();

    [Fact]
    public async Task A_read_decodes_the_next_row_groups_ahead_into_the_cache_and_no_further()
    {
        var ct = TestContext.Current.CancellationToken;
        var (segment, entry) = await WriteAsync(ct);
        var cache = new ArchiveReadCache(new ArchiveCacheOptions { ReadAheadRowGroups = 2 });
        using var reader = new ArchiveReader(archive.Store, cache);

        var back = await reader.ReadAsync(entry, 0, 100, long.MaxValue, ct);
        await IdleAsync(reader, ct);

        ArchiveTestData.AssertSameRecords(segment.Records.Where(r => r.Start < 100), back);
        Assert.Equal(2, reader.ReadAheadsStarted);
        Assert.True(cache.TryGetDecoded(entry.ObjectKey, 1, out _));
        Assert.True(cache.TryGetDecoded(entry.ObjectKey, 2, out _));
        Assert.False(cache.TryGetDecoded(entry.ObjectKey, 3, out _));

        // What was decoded ahead is served as read: the next reads need no new decode of it.
        var all = new List<ArchiveRecord>(back);
        while (all[^1].End < segment.End)
        {
            all.AddRange(await reader.ReadAsync(entry, all[^1].End, segment.End, 5000, ct));
        }

        await IdleAsync(reader, ct);
        ArchiveTestData.AssertSameRecords(segment.Records, all);
        Assert.True(cache.CachedBytes <= cache.Options.CapacityBytes + cache.Options.DecodedCapacityBytes + cache.Options.FooterCapacityBytes);
    }

    [Fact]
    public async Task Read_ahead_is_off_unless_configured()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, entry) = await WriteAsync(ct);
        var cache = new ArchiveReadCache();
        using var reader = new ArchiveReader(archive.Store, cache);

        await reader.ReadAsync(entry, 0, 100, long.MaxValue, ct);

        Assert.Equal(0, reader.ReadAheadsStarted);
        Assert.False(cache.TryGetDecoded(entry.ObjectKey, 1, out _));
    }

    [Fact]
    public async Task At_most_the_configured_number_of_row_groups_are_decoded_ahead_at_once_for_all_readers()
    {
        var ct = TestContext.Current.CancellationToken;
        var (segment, entry) = await WriteAsync(ct);
        var store = new GatedStore(archive.Store);
        using var reader = new ArchiveReader(store, new ArchiveReadCache(new ArchiveCacheOptions { ReadAheadRowGroups = 2 }));

        // Every store read waits at the gate, so nothing finishes while the reads start.
        var reads = new[] { 0, 4, 8, 12 }.Select(g => reader.ReadAsync(entry, entry.RowGroups[g].Start, segment.End, 1, ct)).ToList();

        Assert.Equal(2, reader.ReadAheadsStarted);
        Assert.Equal(2, reader.ReadAheadsRunning);
        store.Open();
        foreach (var (read, g) in reads.Zip(new[] { 0, 4, 8, 12 }))
        {
            Assert.Equal(entry.RowGroups[g].Start, Assert.Single(await read).Start);
        }

        await IdleAsync(reader, ct);
        Assert.Equal(2, reader.ReadAheadsStarted);
    }

    [Fact]
    public async Task Disposing_the_reader_cancels_the_row_groups_being_decoded_ahead()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, entry) = await WriteAsync(ct);
        var store = new GatedStore(archive.Store);
        var cache = new ArchiveReadCache(new ArchiveCacheOptions { ReadAheadRowGroups = 2 });
        var reader = new ArchiveReader(store, cache);
        using var readCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var read = reader.ReadAsync(entry, 0, 100, long.MaxValue, readCancel.Token);
        Assert.Equal(2, reader.ReadAheadsRunning);
        await readCancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.Equal(2, reader.ReadAheadsRunning);

        reader.Dispose();
        await IdleAsync(reader, ct);
        Assert.False(cache.TryGetDecoded(entry.ObjectKey, 1, out _));
        Assert.False(cache.TryGetDecoded(entry.ObjectKey, 2, out _));

        // A read after dispose still works, it just reads nothing ahead.
        store.Open();
        Assert.NotEmpty(await reader.ReadAsync(entry, 0, 100, long.MaxValue, ct));
        Assert.Equal(2, reader.ReadAheadsStarted);
    }

    [Fact]
    public async Task Row_groups_too_big_for_the_decoded_cache_are_not_read_ahead()
    {
        var ct = TestContext.Current.CancellationToken;
        var (segment, entry) = await WriteAsync(ct);
        var groupBytes = entry.RowGroups.Max(g => Math.Max(g.Length, g.End - g.Start));
        var cache = new ArchiveReadCache(new ArchiveCacheOptions { ReadAheadRowGroups = 2, DecodedCapacityBytes = 3 * groupBytes });
        using var reader = new ArchiveReader(archive.Store, cache);

        var back = await reader.ReadAsync(entry, 0, segment.End, long.MaxValue, ct);

        ArchiveTestData.AssertSameRecords(segment.Records, back);
        Assert.Equal(0, reader.ReadAheadsStarted);
    }

    [Fact]
    public void A_cell_that_wraps_a_whole_array_is_that_array_and_a_slice_is_copied()
    {
        byte[] whole = [1, 2, 3, 4];

        Assert.Same(whole, ArchiveReader.WholeArray(whole));
        var part = ArchiveReader.WholeArray(whole.AsMemory(1, 2));
        Assert.NotSame(whole, part);
        Assert.Equal([2, 3], part);
    }

    public void Dispose() => archive.Dispose();

    private async Task<(ArchiveSegment Segment, ManifestEntry Entry)> WriteAsync(CancellationToken ct)
    {
        var segment = ArchiveTestData.Bytes(1, "/ahead", Enumerable.Range(0, 400).Select(i => ArchiveTestData.RandomBytes(1000, i)));
        var written = await new ArchiveWriter(archive.Store, new ArchiveWriterOptions { RowGroupTargetBytes = 16 << 10 }).WriteObjectAsync([segment], ct);
        var entry = Assert.Single(written.Entries);
        Assert.True(entry.RowGroups.Count >= 16, $"{entry.RowGroups.Count} row groups");
        return (segment, entry);
    }

    /// <summary>Waits until no row group is being decoded ahead (they run in the background).</summary>
    private static async Task IdleAsync(ArchiveReader reader, CancellationToken ct)
    {
        for (var i = 0; i < 1000 && reader.ReadAheadsRunning > 0; i++)
        {
            await Task.Delay(10, ct);
        }

        Assert.Equal(0, reader.ReadAheadsRunning);
    }

    /// <summary>A store whose reads wait until the test opens it (or their token is cancelled).</summary>
    private sealed class GatedStore(IObjectStore inner) : IObjectStore
    {
        private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Description => inner.Description;

        public ObjectStoreStatistics Statistics => inner.Statistics;

        public void Open() => gate.TrySetResult();

        public async Task<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken)
        {
            await gate.Task.WaitAsync(cancellationToken);
            return await inner.ReadAsync(key, offset, destination, cancellationToken);
        }

        public Task PutAsync(string key, Stream content, CancellationToken cancellationToken) => inner.PutAsync(key, content, cancellationToken);

        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

        public Task DownloadAsync(string key, Stream destination, CancellationToken cancellationToken) => inner.DownloadAsync(key, destination, cancellationToken);

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    }
}
