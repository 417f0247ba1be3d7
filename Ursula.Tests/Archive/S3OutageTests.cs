using Ursula.Archive.Reading;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;

namespace Ursula.Tests.Archive;

/// <summary>Has its own s3rver, since it takes it down.</summary>
[Trait("Category", "Archive")]
public sealed class S3OutageTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task With_s3_down_reads_and_writes_fail_with_an_object_store_exception_and_work_again_once_it_is_back()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = s3.CreateStore(prefix: "outage");
        var writer = new ArchiveWriter(store, new ArchiveWriterOptions());
        var segment = ArchiveTestData.Bytes(1, "/a", [[1, 2, 3], [4, 5]]);
        var written = await writer.WriteObjectAsync([segment], ct);

        await s3.StopAsync();
        try
        {
            var read = await Assert.ThrowsAsync<ObjectStoreException>(() => new ArchiveReader(store).ReadAsync(written.Entries[0], 0, 5, long.MaxValue, ct));
            var write = await Assert.ThrowsAsync<ObjectStoreException>(() => writer.WriteObjectAsync([segment with { StreamId = 2 }], ct));
            await Assert.ThrowsAsync<ObjectStoreException>(async () =>
            {
                await foreach (var _ in store.ListAsync("v1/", ct))
                {
                }
            });
            Assert.False(read.NotFound);
            Assert.Contains("s3://ursula-archive/outage/", read.Message, StringComparison.Ordinal);
            Assert.Contains("could not", write.Message, StringComparison.Ordinal);
        }
        finally
        {
            await s3.StartAsync(ct);
        }

        ArchiveTestData.AssertSameRecords(segment.Records, await new ArchiveReader(store).ReadAsync(written.Entries[0], 0, 5, long.MaxValue, ct));
        var after = await writer.WriteObjectAsync([segment with { StreamId = 2 }], ct);
        Assert.NotNull(await store.HeadAsync(after.Key, ct));
    }
}
