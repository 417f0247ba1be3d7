using System.Text;
using Ursula.Archive.Format;
using Ursula.Archive.Reading;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ArchiveRoundTripTests : IDisposable
{
    private readonly TemporaryArchive archive = new();

    private readonly FileSystemObjectStore store;

    public ArchiveRoundTripTests() => store = archive.Store;

    [Fact]
    public async Task Byte_stream_appends_come_back_byte_exact_from_the_start()
    {
        var ct = TestContext.Current.CancellationToken;
        var segment = ArchiveTestData.Bytes(7, "/tenant/bin/1", Enumerable.Range(0, 50).Select(i => ArchiveTestData.RandomBytes(1 + (i * 37 % 500), i)));
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions()).WriteObjectAsync([segment], ct);

        var entry = Assert.Single(written.Entries);
        Assert.Equal((7L, "/tenant/bin/1", 0L, segment.End), (entry.StreamId, entry.Path, entry.Start, entry.End));
        Assert.EndsWith(".parquet", written.Key, StringComparison.Ordinal);
        var back = await new ArchiveReader(store).ReadAsync(entry, 0, entry.End, long.MaxValue, ct);
        ArchiveTestData.AssertSameRecords(segment.Records, back);
    }

    [Fact]
    public async Task Json_messages_with_commas_brackets_quotes_and_unicode_come_back_joined_exactly_as_appended()
    {
        var ct = TestContext.Current.CancellationToken;
        var appends = new[] { ArchiveTestData.TrickyMessages[..3], ArchiveTestData.TrickyMessages[3..4], ArchiveTestData.TrickyMessages[4..] };
        var segment = ArchiveTestData.Json(3, "/tenant/chat/42", appends, producer: i => i == 1 ? null : new ArchiveProducer($"writer-{i}", i, 10 + i));
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions()).WriteObjectAsync([segment], ct);

        var back = await new ArchiveReader(store).ReadAsync(written.Entries[0], 0, long.MaxValue, long.MaxValue, ct);
        ArchiveTestData.AssertSameRecords(segment.Records, back);
        Assert.Equal(string.Join(',', ArchiveTestData.TrickyMessages[..3]), Encoding.UTF8.GetString(back[0].Payload));
    }

    [Fact]
    public async Task A_read_from_the_middle_of_an_append_returns_that_whole_append_and_what_follows()
    {
        var ct = TestContext.Current.CancellationToken;
        var segment = ArchiveTestData.Json(3, "/j", Enumerable.Range(0, 20).Select(i => new[] { $"{{\"i\":{i},\"a\":1}}", $"{{\"i\":{i},\"b\":2}}", $"{{\"i\":{i},\"c\":3}}" }));
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions { RowGroupTargetBytes = 1000 }).WriteObjectAsync([segment], ct);

        var back = await new ArchiveReader(store).ReadAsync(written.Entries[0], 31, 40, long.MaxValue, ct);
        ArchiveTestData.AssertSameRecords(segment.Records.Where(r => r.End > 31 && r.Start < 40), back);
        Assert.Equal(30, back[0].Start);
    }

    [Fact]
    public async Task Row_groups_are_cut_between_appends_and_a_middle_read_decodes_only_its_row_groups()
    {
        var ct = TestContext.Current.CancellationToken;
        var segment = ArchiveTestData.Bytes(1, "/big", Enumerable.Range(0, 400).Select(i => ArchiveTestData.RandomBytes(1000, i)));
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions { RowGroupTargetBytes = 16 << 10, Compression = ArchiveCompression.None }).WriteObjectAsync([segment], ct);
        var entry = written.Entries[0];

        Assert.True(entry.RowGroups.Count >= 20, $"{entry.RowGroups.Count} row groups");
        for (var i = 1; i < entry.RowGroups.Count; i++)
        {
            Assert.Equal(entry.RowGroups[i - 1].End, entry.RowGroups[i].Start);
            Assert.Contains(segment.Records, r => r.Start == entry.RowGroups[i].Start);
        }

        var reader = new ArchiveReader(store, new ArchiveReadCache(new ArchiveCacheOptions { BlockSize = 4096 }));
        var before = store.Statistics.BytesRead;
        var back = await reader.ReadAsync(entry, 200_000, 203_000, long.MaxValue, ct);
        var fetched = store.Statistics.BytesRead - before;

        ArchiveTestData.AssertSameRecords(segment.Records.Where(r => r.End > 200_000 && r.Start < 203_000), back);
        Assert.True(fetched < written.Size / 5, $"fetched {fetched} of {written.Size} bytes");
    }

    [Fact]
    public async Task A_read_stops_near_max_bytes_but_returns_at_least_one_append()
    {
        var ct = TestContext.Current.CancellationToken;
        var segment = ArchiveTestData.Bytes(1, "/b", Enumerable.Range(0, 10).Select(i => ArchiveTestData.RandomBytes(100, i)));
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions()).WriteObjectAsync([segment], ct);
        var reader = new ArchiveReader(store);

        Assert.Single(await reader.ReadAsync(written.Entries[0], 0, 1000, 1, ct));
        Assert.Equal(3, (await reader.ReadAsync(written.Entries[0], 0, 1000, 250, ct)).Count);
        Assert.Empty(await reader.ReadAsync(written.Entries[0], 1000, 2000, long.MaxValue, ct));
    }

    [Fact]
    public async Task Text_streams_fill_the_text_column_and_the_object_describes_its_streams()
    {
        var ct = TestContext.Current.CancellationToken;
        var text = ArchiveTestData.Text(2, "/logs/a", "hello ", "wörld");
        var bytes = ArchiveTestData.Bytes(1, "/logs/b", [[0xFF, 0x00]]);
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions()).WriteObjectAsync([bytes, text], ct);
        var layout = await new ArchiveReader(store).ReadLayoutAsync(written.Key, null, ct);

        Assert.Equal(["/logs/a", "/logs/b"], layout.Description.Streams.Select(s => s.Path));
        Assert.Equal("text/plain; charset=utf-8", layout.Description.Streams[0].ContentType);
        Assert.Equal(written.Entries, layout.EntriesFor(written.Key));
        Assert.Equal(written.Size, layout.Size);
    }

    [Fact]
    public async Task Concurrent_catch_up_readers_sharing_one_cache_each_get_the_whole_stream_exactly()
    {
        var ct = TestContext.Current.CancellationToken;
        var segment = ArchiveTestData.Json(4, "/fan", Enumerable.Range(0, 300).Select(i => new[] { $"{{\"i\":{i}}}", ArchiveTestData.TrickyMessages[i % 11] }));
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions { RowGroupTargetBytes = 4096 }).WriteObjectAsync([segment], ct);
        var reader = new ArchiveReader(store, new ArchiveReadCache(new ArchiveCacheOptions { BlockSize = 4096, CapacityBytes = 64 << 10, DecodedCapacityBytes = 16 << 10 }));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var records = new List<ArchiveRecord>();
            var position = 0L;
            while (position < segment.End)
            {
                var chunk = await reader.ReadAsync(written.Entries, position, segment.End, 700, ct);
                records.AddRange(chunk.Where(r => r.Start >= position));
                position = chunk[^1].End;
            }

            return records;
        }, ct)));

        Assert.All(results, records => ArchiveTestData.AssertSameRecords(segment.Records, records));
    }

    public void Dispose() => archive.Dispose();
}
