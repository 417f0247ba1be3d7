// The bounded cache of recently read cold bytes, shared by every read of a node: object blocks
// (aligned, BlockSize each) in one LRU, object footers in another, decoded row groups in a third. Objects are immutable once
// written (a compaction writes a new key), so cached bytes never go stale; Forget drops an
// object's bytes when it is deleted so they stop taking room. A row group missing from the
// decoded cache is decoded once however many readers ask for it at the same time: the first
// decodes, the others wait for its result (single flight).
using System.Collections.Concurrent;

namespace Ursula.Archive.Reading;

public sealed class ArchiveReadCache
{
    private readonly LruByteCache<(string Key, long Block), byte[]> blocks;
    private readonly LruByteCache<string, byte[]> footers;
    private readonly LruByteCache<(string Key, int RowGroup), DecodedRowGroup> decoded;
    private readonly ConcurrentDictionary<(string Key, int RowGroup), Task<DecodedRowGroup>> decoding = new();
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

    /// <summary>Whether the row group is decoded or being decoded (a read-ahead has nothing to do then).</summary>
    internal bool HasOrDecodes(string key, int rowGroup) => decoded.Contains((key, rowGroup)) || decoding.ContainsKey((key, rowGroup));

    /// <summary>The most bytes of decoded row groups kept.</summary>
    internal long DecodedCapacityBytes => Options.DecodedCapacityBytes;

    internal void AddDecoded(string key, int rowGroup, DecodedRowGroup group) => decoded.Add((key, rowGroup), group, group.Bytes);

    /// <summary>
    /// The decoded row group from the cache, or decoded by this caller, or by a concurrent caller
    /// that started first (then this one waits for it). A decode cancelled by its own caller is
    /// retried by the waiters that were not cancelled; any other failure reaches every waiter.
    /// </summary>
    internal async Task<DecodedRowGroup> GetOrDecodeAsync(string key, int rowGroup, Func<Task<DecodedRowGroup>> decode, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryGetDecoded(key, rowGroup, out var cached))
            {
                return cached;
            }

            var mine = new TaskCompletionSource<DecodedRowGroup>(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = decoding.GetOrAdd((key, rowGroup), mine.Task);
            if (running != mine.Task)
            {
                try
                {
                    return await running.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    continue;
                }
            }

            DecodedRowGroup group;
            try
            {
                // Added between this caller's miss and its claim: no need to decode again.
                if (!TryGetDecoded(key, rowGroup, out group))
                {
                    group = await decode();
                    AddDecoded(key, rowGroup, group);
                }
            }
            catch (Exception ex)
            {
                // Unclaimed before the waiters wake, so a retrying waiter finds no stale claim.
                Unclaim(key, rowGroup, mine.Task);
                if (ex is OperationCanceledException cancelled)
                {
                    mine.SetCanceled(cancelled.CancellationToken);
                }
                else
                {
                    mine.SetException(ex);
                }

                throw;
            }

            Unclaim(key, rowGroup, mine.Task);
            mine.SetResult(group);
            return group;
        }
    }

    private void Unclaim(string key, int rowGroup, Task<DecodedRowGroup> claim) =>
        decoding.TryRemove(new KeyValuePair<(string, int), Task<DecodedRowGroup>>((key, rowGroup), claim));
}
