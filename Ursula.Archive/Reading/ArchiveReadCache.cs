// The bounded cache of recently read cold bytes, shared by every read of a node: object blocks
// (aligned, BlockSize each) in one LRU, object footers in another, decoded row groups in a third. Objects are immutable once
// written (a compaction writes a new key), so cached bytes never go stale; Forget drops an
// object's bytes when it is deleted so they stop taking room.
namespace Ursula.Archive.Reading;

public sealed class ArchiveReadCache
{
    private readonly LruByteCache<(string Key, long Block), byte[]> blocks;
    private readonly LruByteCache<string, byte[]> footers;
    private readonly LruByteCache<(string Key, int RowGroup), DecodedRowGroup> decoded;
    private long hits;
    private long misses;

    public ArchiveReadCache(ArchiveCacheOptions? options = null)
    {
        Options = options ?? new ArchiveCacheOptions();
        Options.Validate();
        blocks = new(Options.CapacityBytes);
        footers = new(Options.FooterCapacityBytes);
        decoded = new(Options.DecodedCapacityBytes);
    }

    public ArchiveCacheOptions Options { get; }

    public int BlockSize => Options.BlockSize;

    public long BlockHits => Interlocked.Read(ref hits);

    public long BlockMisses => Interlocked.Read(ref misses);

    public long CachedBytes => blocks.Bytes + footers.Bytes + decoded.Bytes;

    public void Forget(string key)
    {
        blocks.RemoveWhere(k => k.Key == key);
        footers.RemoveWhere(k => k == key);
        decoded.RemoveWhere(k => k.Key == key);
    }

    internal bool TryGetBlock(string key, long block, out byte[] data)
    {
        var found = blocks.TryGet((key, block), out data);
        Interlocked.Increment(ref found ? ref hits : ref misses);
        return found;
    }

    internal void AddBlock(string key, long block, byte[] data) => blocks.Add((key, block), data, data.Length);

    /// <summary>The object's last bytes (footer, its length and the magic), when cached.</summary>
    internal bool TryGetFooter(string key, out byte[] tail) => footers.TryGet(key, out tail);

    internal void AddFooter(string key, byte[] tail) => footers.Add(key, tail, tail.Length);

    internal bool TryGetDecoded(string key, int rowGroup, out DecodedRowGroup group) => decoded.TryGet((key, rowGroup), out group);

    internal void AddDecoded(string key, int rowGroup, DecodedRowGroup group) => decoded.Add((key, rowGroup), group, group.Bytes);
}
