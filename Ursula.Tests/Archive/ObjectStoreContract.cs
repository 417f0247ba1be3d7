// What every object store must do, written once and run against each real backend.
using System.Text;
using Ursula.Archive.Storage;

namespace Ursula.Tests.Archive;

public static class ObjectStoreContract
{
    public static async Task Put_then_head_read_list_and_delete_behave_as_documented(IObjectStore store, CancellationToken ct)
    {
        var content = Encoding.UTF8.GetBytes("0123456789abcdefghij");
        await store.PutAsync("v1/data/2026/01/02/a.parquet", new MemoryStream(content), ct);
        await store.PutAsync("v1/data/2026/01/03/b.parquet", new MemoryStream(content[..5]), ct);
        await store.PutAsync("v1/meta/note.json", new MemoryStream(content[..3]), ct);

        var head = await store.HeadAsync("v1/data/2026/01/02/a.parquet", ct);
        Assert.NotNull(head);
        Assert.Equal(content.Length, head.Size);
        Assert.Null(await store.HeadAsync("v1/data/missing.parquet", ct));

        var middle = new byte[6];
        Assert.Equal(6, await store.ReadAsync("v1/data/2026/01/02/a.parquet", 7, middle, ct));
        Assert.Equal("789abc", Encoding.UTF8.GetString(middle));
        var pastEnd = new byte[10];
        Assert.Equal(4, await store.ReadAsync("v1/data/2026/01/02/a.parquet", 16, pastEnd, ct));
        Assert.Equal("ghij", Encoding.UTF8.GetString(pastEnd, 0, 4));

        var whole = new MemoryStream();
        await store.DownloadAsync("v1/data/2026/01/03/b.parquet", whole, ct);
        Assert.Equal("01234", Encoding.UTF8.GetString(whole.ToArray()));

        var data = await ToListAsync(store.ListAsync("v1/data/", ct));
        Assert.Equal(["v1/data/2026/01/02/a.parquet", "v1/data/2026/01/03/b.parquet"], data.Select(o => o.Key));
        Assert.Equal([20L, 5L], data.Select(o => o.Size));
        Assert.Equal(3, (await ToListAsync(store.ListAsync("", ct))).Count);

        await store.PutAsync("v1/data/2026/01/03/b.parquet", new MemoryStream(content), ct);
        Assert.Equal(content.Length, (await store.HeadAsync("v1/data/2026/01/03/b.parquet", ct))!.Size);

        await store.DeleteAsync("v1/data/2026/01/02/a.parquet", ct);
        await store.DeleteAsync("v1/data/2026/01/02/a.parquet", ct);
        Assert.Null(await store.HeadAsync("v1/data/2026/01/02/a.parquet", ct));
        var missing = await Assert.ThrowsAsync<ObjectStoreException>(() => store.ReadAsync("v1/data/2026/01/02/a.parquet", 0, new byte[4], ct));
        Assert.True(missing.NotFound);
        Assert.True(store.Statistics.Requests > 0);
    }

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
