// Packing many small streams, compaction of deleted streams, and restore from the objects alone.
using Ursula.Archive.Compaction;
using Ursula.Archive.Format;
using Ursula.Archive.Layout;
using Ursula.Archive.Manifest;
using Ursula.Archive.Reading;
using Ursula.Archive.Restore;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ArchiveLifecycleTests : IDisposable
{
    private readonly TemporaryArchive archive = new();

    private readonly FileSystemObjectStore store;

    public ArchiveLifecycleTests() => store = archive.Store;

    [Fact]
    public async Task Ten_thousand_small_streams_pack_into_a_handful_of_objects_and_each_reads_back_on_its_own()
    {
        var ct = TestContext.Current.CancellationToken;
        var segments = Enumerable.Range(1, 10_000).Select(i => ArchiveTestData.Json(i, $"/tenant/small/{i:D5}", [[$"{{\"stream\":{i},\"n\":1}}"], [$"{{\"stream\":{i},\"n\":2}}", "\"bye, now\""]])).ToList();

        var objects = await new ArchiveWriter(store, new ArchiveWriterOptions()).WriteAsync(segments, ct);

        var entries = objects.SelectMany(o => o.Entries).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"10,000 small streams became {objects.Count} object(s), {objects.Sum(o => o.Size)} bytes, {entries.SelectMany(e => e.RowGroups).Select(g => (g.Index, g.Offset)).Distinct().Count()} row groups");
        Assert.True(objects.Count <= 2, $"{objects.Count} objects");
        Assert.Equal(10_000, entries.Count);
        var index = new ManifestIndex(entries);
        var reader = new ArchiveReader(store);
        foreach (var id in new long[] { 1, 4242, 9999, 10_000 })
        {
            ArchiveTestData.AssertSameRecords(segments[(int)id - 1].Records, await reader.ReadAsync(index.Find(id, 0, 3), 0, 3, long.MaxValue, ct));
        }
    }

    [Fact]
    public async Task Small_objects_are_planned_up_to_the_target_and_a_big_segment_continues_in_the_next_object()
    {
        var ct = TestContext.Current.CancellationToken;
        var big = ArchiveTestData.Bytes(1, "/a/big", Enumerable.Range(0, 100).Select(i => ArchiveTestData.RandomBytes(1000, i)));
        var small = ArchiveTestData.Bytes(2, "/b/small", [[1, 2, 3]]);

        var objects = await new ArchiveWriter(store, new ArchiveWriterOptions { ObjectTargetBytes = 30_000, RowGroupTargetBytes = 10_000 }).WriteAsync([small, big], ct);

        Assert.True(objects.Count >= 3, $"{objects.Count} objects");
        var bigEntries = objects.SelectMany(o => o.Entries).Where(e => e.StreamId == 1).OrderBy(e => e.Start).ToList();
        Assert.Equal(0, bigEntries[0].Start);
        Assert.Equal(big.End, bigEntries[^1].End);
        Assert.All(bigEntries.Zip(bigEntries.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Start));
        ArchiveTestData.AssertSameRecords(big.Records, await new ArchiveReader(store).ReadAsync(bigEntries, 0, long.MaxValue, long.MaxValue, ct));
    }

    [Fact]
    public async Task Compaction_rewrites_a_packed_object_without_the_deleted_streams_and_keeps_the_survivors_exact()
    {
        var ct = TestContext.Current.CancellationToken;
        var segments = Enumerable.Range(1, 30).Select(i => i % 2 == 0
            ? ArchiveTestData.Json(i, $"/c/{i:D2}", [ArchiveTestData.TrickyMessages, [$"{{\"i\":{i}}}"]])
            : ArchiveTestData.Bytes(i, $"/c/{i:D2}", [ArchiveTestData.RandomBytes(500, i), ArchiveTestData.RandomBytes(7, -i)])).ToList();
        var writer = new ArchiveWriter(store, new ArchiveWriterOptions { RowGroupTargetBytes = 2000 });
        var original = await writer.WriteObjectAsync(segments, ct);
        var index = new ManifestIndex(original.Entries);
        var reader = new ArchiveReader(store);
        var deleted = new HashSet<long> { 3, 4, 17, 30 };

        var result = await new ArchiveCompactor(reader, writer).CompactAsync(original.Key, original.Size, deleted, ct);
        index.ReplaceObject(result.OldKey, result.Replacement!.Entries);
        await store.DeleteAsync(result.OldKey, ct);

        Assert.Equal([3L, 4L, 17L, 30L], result.RemovedStreams.Order());
        Assert.NotEqual(original.Key, result.Replacement.Key);
        Assert.Equal(26, result.Replacement.Entries.Count);
        Assert.DoesNotContain(result.Replacement.Entries, e => deleted.Contains(e.StreamId));
        Assert.True(result.Replacement.Size < original.Size);
        foreach (var segment in segments.Where(s => !deleted.Contains(s.StreamId)))
        {
            ArchiveTestData.AssertSameRecords(segment.Records, await reader.ReadAsync(index.EntriesOf(segment.StreamId), 0, long.MaxValue, long.MaxValue, ct));
        }

        var layout = await reader.ReadLayoutAsync(result.Replacement.Key, null, ct);
        Assert.Equal([original.Key], layout.Description.Supersedes);
        Assert.Null(await store.HeadAsync(original.Key, ct));
    }

    [Fact]
    public async Task Compacting_an_object_whose_streams_are_all_deleted_leaves_nothing_to_write()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = new ArchiveWriter(store, new ArchiveWriterOptions());
        var original = await writer.WriteObjectAsync([ArchiveTestData.Bytes(1, "/x", [[1]]), ArchiveTestData.Bytes(2, "/y", [[2]])], ct);

        var result = await new ArchiveCompactor(new ArchiveReader(store), writer).CompactAsync(original.Key, original.Size, new HashSet<long> { 1, 2 }, ct);

        Assert.Null(result.Replacement);
        Assert.Single(await ObjectStoreContract.ToListAsync(store.ListAsync(ArchiveKeys.DataPrefix, ct)));
    }

    [Fact]
    public async Task Restore_rebuilds_every_archived_stream_from_the_objects_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = new ArchiveWriter(store, new ArchiveWriterOptions { RowGroupTargetBytes = 500 });
        var reader = new ArchiveReader(store);
        var chat = ArchiveTestData.Json(5, "/tenant/chat/42", Enumerable.Range(0, 30).Select(i => new[] { $"{{\"i\":{i}}}", ArchiveTestData.TrickyMessages[i % ArchiveTestData.TrickyMessages.Length] }), producer: i => new ArchiveProducer("p", 1, i));
        var bin = ArchiveTestData.Bytes(6, "/tenant/bin", Enumerable.Range(0, 20).Select(i => ArchiveTestData.RandomBytes(100, i)));
        var gone = ArchiveTestData.Text(7, "/tenant/deleted", "bye");
        var compactMe = ArchiveTestData.Text(8, "/tenant/compacted-away", "x");

        // Three archiving rounds; the first upload of chat [20, 60) never got into the manifest (an
        // orphan), and the retry archived it as [20, 40) and [40, 60).
        Slice(chat, 0, 20, out var chat1);
        Slice(chat, 20, 60, out var orphan);
        Slice(chat, 20, 40, out var chat2);
        Slice(chat, 40, 60, out var chat3);
        var first = await writer.WriteObjectAsync([chat1, bin, gone, compactMe], ct);
        await writer.WriteObjectAsync([orphan], ct);
        await writer.WriteObjectAsync([chat2], ct);
        await writer.WriteObjectAsync([chat3], ct);
        await new ArchiveCompactor(reader, writer).CompactAsync(first.Key, first.Size, new HashSet<long> { 8 }, ct); // old object not deleted yet
        await ArchiveTombstones.WriteAsync(store, 7, ct);

        var restorer = new ArchiveRestorer(new ArchiveReader(store));
        var plan = await restorer.ScanAsync(ct);

        Assert.Equal(["/tenant/bin", "/tenant/chat/42"], plan.Streams.Select(s => s.Path));
        Assert.Equal([first.Key], plan.Superseded);
        Assert.Equal([7L], plan.Tombstoned);
        Assert.Empty(plan.Unreadable);
        var restoredChat = plan.Streams.Single(s => s.StreamId == 5);
        Assert.Equal(("application/json", 0L, 60L), (restoredChat.ContentType, restoredChat.Start, restoredChat.End));
        Assert.Empty(restoredChat.Gaps);
        Assert.All(restoredChat.Entries.Zip(restoredChat.Entries.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Start));
        _ = new ManifestIndex(plan.Streams.SelectMany(s => s.Entries));
        ArchiveTestData.AssertSameRecords(chat.Records, await ObjectStoreContract.ToListAsync(restorer.ReadAsync(restoredChat, ct)));
        ArchiveTestData.AssertSameRecords(bin.Records, await ObjectStoreContract.ToListAsync(restorer.ReadAsync(plan.Streams.Single(s => s.StreamId == 6), ct)));
    }

    [Fact]
    public async Task Restore_reports_what_the_archive_does_not_hold_as_gaps_and_skips_foreign_objects()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = new ArchiveWriter(store, new ArchiveWriterOptions());
        var stream = ArchiveTestData.Bytes(1, "/g", Enumerable.Range(0, 6).Select(i => ArchiveTestData.RandomBytes(10, i)));
        Slice(stream, 0, 20, out var a);
        Slice(stream, 40, 60, out var b);
        await writer.WriteObjectAsync([a], ct);
        await writer.WriteObjectAsync([b], ct);
        await store.PutAsync("v1/data/2026/01/01/not-ours.parquet", new MemoryStream("PAR1 but not really PAR1"u8.ToArray()), ct);

        var plan = await new ArchiveRestorer(new ArchiveReader(store)).ScanAsync(ct);

        var restored = Assert.Single(plan.Streams);
        Assert.Equal([(20L, 40L)], restored.Gaps);
        Assert.Equal("v1/data/2026/01/01/not-ours.parquet", Assert.Single(plan.Unreadable).Key);
    }

    private static void Slice(ArchiveSegment segment, long from, long to, out ArchiveSegment slice) =>
        slice = segment with { Records = [.. segment.Records.Where(r => r.Start >= from && r.End <= to)] };

    public void Dispose() => archive.Dispose();
}
