using Ursula.Archive.Reading;
using Ursula.Archive.Sql;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class S3ArchiveTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task A_small_read_of_a_large_object_on_s3_fetches_only_a_small_fraction_of_its_bytes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = s3.CreateStore();
        var segment = ArchiveTestData.Bytes(9, "/tenant/large", Enumerable.Range(0, 4096).Select(i => ArchiveTestData.RandomBytes(4096, i)));
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions { RowGroupTargetBytes = 256 << 10 }).WriteObjectAsync([segment], ct);
        var entry = Assert.Single(written.Entries);
        var reader = new ArchiveReader(store);
        var (bytesBefore, requestsBefore) = (store.Statistics.BytesRead, store.Statistics.Requests);

        var back = await reader.ReadAsync(entry, 10_000_000, 10_000_010, long.MaxValue, ct);

        var fetched = store.Statistics.BytesRead - bytesBefore;
        var requests = store.Statistics.Requests - requestsBefore;
        ArchiveTestData.AssertSameRecords(segment.Records.Where(r => r.End > 10_000_000 && r.Start < 10_000_010), back);
        TestContext.Current.TestOutputHelper?.WriteLine($"object {written.Size} bytes in {entry.RowGroups.Count} row groups; a 10-byte read fetched {fetched} bytes ({100.0 * fetched / written.Size:F2}%) in {requests} requests");
        Assert.True(written.Size > 16_000_000, $"object is {written.Size} bytes");
        Assert.True(fetched < written.Size / 20, $"fetched {fetched} of {written.Size} bytes");
        Assert.True(requests <= 4, $"{requests} requests");

        var again = store.Statistics.BytesRead;
        ArchiveTestData.AssertSameRecords(back, await reader.ReadAsync(entry, 10_000_000, 10_000_010, long.MaxValue, ct));
        Assert.Equal(again, store.Statistics.BytesRead);
    }

    [Fact]
    public async Task Json_and_byte_streams_round_trip_byte_exact_through_s3()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = s3.CreateStore();
        var json = ArchiveTestData.Json(1, "/chat/1", [ArchiveTestData.TrickyMessages, ["{\"last\":true}"]]);
        var bytes = ArchiveTestData.Bytes(2, "/bin/2", [ArchiveTestData.RandomBytes(70_000, 1), ArchiveTestData.RandomBytes(3, 2)]);
        var written = await new ArchiveWriter(store, new ArchiveWriterOptions()).WriteObjectAsync([json, bytes], ct);
        var reader = new ArchiveReader(store);

        ArchiveTestData.AssertSameRecords(json.Records, await reader.ReadAsync(written.Entries.Single(e => e.StreamId == 1), 0, long.MaxValue, long.MaxValue, ct));
        ArchiveTestData.AssertSameRecords(bytes.Records, await reader.ReadAsync(written.Entries.Single(e => e.StreamId == 2), 0, long.MaxValue, long.MaxValue, ct));
    }

    [Fact]
    public async Task Sql_over_an_s3_archive_runs_on_a_local_mirror_that_fetches_each_object_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = s3.CreateStore();
        var cache = Path.Combine(Path.GetTempPath(), $"ursula-sql-cache-{Guid.NewGuid():N}");
        try
        {
            await ChatArchive.WriteAsync(store, ct);
            using (var sql = await ArchiveSql.OpenAsync(store, cache, ct))
            {
                var result = await sql.QueryAsync("SELECT stream, text FROM messages WHERE text IS NOT NULL AND stream LIKE '/chat/%' ORDER BY stream, start_pos", ct);
                Assert.Equal(ChatArchive.Messages().OrderBy(m => m.Stream, StringComparer.Ordinal).ThenBy(m => m.Position).Select(m => m.Json), result.Rows.Select(r => (string)r[1]!));
            }

            var again = await ArchiveMirror.SyncAsync(store, new FileSystemObjectStore(cache), ct);
            Assert.Equal((0, 0, 2), (again.Downloaded, again.Removed, again.Objects.Count));
            await store.DeleteAsync(again.Objects[0].Key, ct);
            var afterDelete = await ArchiveMirror.SyncAsync(store, new FileSystemObjectStore(cache), ct);
            Assert.Equal((0, 1), (afterDelete.Downloaded, afterDelete.Removed));
        }
        finally
        {
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }
        }
    }
}
