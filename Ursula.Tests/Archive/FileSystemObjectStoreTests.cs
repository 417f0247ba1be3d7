using Ursula.Archive.Storage;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class FileSystemObjectStoreTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"ursula-fs-store-{Guid.NewGuid():N}");

    [Fact]
    public async Task The_filesystem_store_keeps_the_object_store_contract()
    {
        await ObjectStoreContract.Put_then_head_read_list_and_delete_behave_as_documented(new FileSystemObjectStore(root), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_put_leaves_no_temporary_file_behind_and_listing_skips_hidden_files()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new FileSystemObjectStore(root);
        await store.PutAsync("v1/data/x.parquet", new MemoryStream([1, 2, 3]), ct);
        File.WriteAllText(Path.Combine(root, "v1", "data", ".x.parquet.123.tmp"), "partial");

        Assert.Equal(["v1/data/x.parquet"], (await ObjectStoreContract.ToListAsync(store.ListAsync("v1/", ct))).Select(o => o.Key));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(root, "v1", "data")).Length);
    }

    [Fact]
    public async Task A_failed_put_publishes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new FileSystemObjectStore(root);
        await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("v1/data/broken.parquet", new FailingStream(), ct));

        Assert.Null(await store.HeadAsync("v1/data/broken.parquet", ct));
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "v1", "data")));
    }

    [Fact]
    public async Task Keys_that_could_escape_the_root_are_refused()
    {
        var store = new FileSystemObjectStore(root);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../outside", new MemoryStream(), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("/absolute", new MemoryStream(), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("a//b", new MemoryStream(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_unwritable_root_surfaces_as_an_object_store_exception()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ursula-not-a-dir-{Guid.NewGuid():N}");
        File.WriteAllText(file, "x");
        try
        {
            var store = new FileSystemObjectStore(file);
            await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("v1/a", new MemoryStream([1]), TestContext.Current.CancellationToken));
        }
        finally
        {
            File.Delete(file);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Yields a few bytes, then fails, like a source that breaks mid-upload.</summary>
    private sealed class FailingStream : Stream
    {
        private int reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (reads++ > 0)
            {
                throw new IOException("source broke");
            }

            buffer[offset] = 42;
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
