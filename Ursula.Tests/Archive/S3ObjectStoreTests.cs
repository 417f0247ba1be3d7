using Ursula.Archive.Storage;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class S3ObjectStoreTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task The_s3_store_keeps_the_object_store_contract()
    {
        using var store = s3.CreateStore();
        await ObjectStoreContract.Put_then_head_read_list_and_delete_behave_as_documented(store, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_uploaded_object_holds_exactly_the_bytes_put_without_chunk_signatures()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = s3.CreateStore();
        var content = new byte[300_000];
        new Random(7).NextBytes(content);
        await store.PutAsync("v1/data/big.parquet", new MemoryStream(content), ct);

        var back = new MemoryStream();
        await store.DownloadAsync("v1/data/big.parquet", back, ct);
        Assert.Equal(content, back.ToArray());
        Assert.Equal(content.Length, (await store.HeadAsync("v1/data/big.parquet", ct))!.Size);
    }

    [Fact]
    public async Task Listing_pages_through_more_keys_than_one_response_holds()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = s3.CreateStore();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1005), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (i, token) => await store.PutAsync($"v1/meta/k{i:D5}", new MemoryStream([1]), token));

        var keys = await ObjectStoreContract.ToListAsync(store.ListAsync("v1/meta/", ct));
        Assert.Equal(1005, keys.Count);
        Assert.Equal("v1/meta/k01004", keys[^1].Key);
    }
}
