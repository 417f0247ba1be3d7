// A read-only, seekable view of one stored object for Parquet.Net, made of range reads. The
// footer is fetched once (one read of the object's tail) and cached apart; data comes in aligned
// blocks through the shared LRU cache. The reader prefetches the column chunks it is about to
// decode, each run of missing blocks in one range read, so Parquet.Net's synchronous page-header
// reads are served from memory; a synchronous miss still works, it just blocks on the store.
using System.Buffers;
using System.Buffers.Binary;
using Ursula.Archive.Format;
using Ursula.Archive.Storage;

namespace Ursula.Archive.Reading;

internal sealed class CachedObjectStream : Stream
{
    private const int FooterProbe = 64 << 10;
    private readonly IObjectStore store;
    private readonly string key;
    private readonly ArchiveReadCache cache;
    private CancellationToken cancellationToken;
    private readonly Dictionary<long, byte[]> held = [];
    private byte[] tail = [];
    private long position;

    private CachedObjectStream(IObjectStore store, string key, long length, ArchiveReadCache cache, CancellationToken cancellationToken)
    {
        this.store = store;
        this.key = key;
        this.cache = cache;
        this.cancellationToken = cancellationToken;
        Length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => position;
        set => position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    private long TailStart => Length - tail.Length;

    public static async Task<CachedObjectStream> OpenAsync(IObjectStore store, string key, long length, ArchiveReadCache cache, CancellationToken cancellationToken)
    {
        if (length < 12)
        {
            throw new FormatException($"Object {key} has {length} bytes, too few for Parquet.");
        }

        var stream = new CachedObjectStream(store, key, length, cache, cancellationToken);
        await stream.LoadFooterAsync();
        return stream;
    }

    public string Key => key;

    /// <summary>Readies a stream kept open between reads for the next one: fresh token, no blocks held.</summary>
    public void Reuse(CancellationToken token)
    {
        cancellationToken = token;
        held.Clear();
        position = 0;
    }

    /// <summary>Drops the blocks held for the read that just ended (they stay in the shared cache while they last).</summary>
    public void Release()
    {
        cancellationToken = CancellationToken.None;
        held.Clear();
    }

    /// <summary>Makes sure every block of the ranges is in memory, one range read per run of missing blocks.</summary>
    public async Task PrefetchAsync(IEnumerable<ByteRange> ranges)
    {
        var missing = new SortedSet<long>();
        foreach (var range in ranges)
        {
            var end = Math.Min(range.End, TailStart);
            for (var block = range.Offset / cache.BlockSize; block * cache.BlockSize < end; block++)
            {
                if (!held.ContainsKey(block))
                {
                    if (cache.TryGetBlock(key, block, out var data))
                    {
                        held[block] = data;
                    }
                    else
                    {
                        missing.Add(block);
                    }
                }
            }
        }

        long? runStart = null;
        long previous = -2;
        foreach (var block in missing.Append(long.MaxValue))
        {
            if (block != previous + 1)
            {
                if (runStart is { } first)
                {
                    await FetchBlocksAsync(first, previous);
                }

                runStart = block;
            }

            previous = block;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length && position < Length)
        {
            var source = Locate(out var offset, sync: true).GetAwaiter().GetResult();
            total += Copy(source, offset, buffer[total..]);
        }

        return total;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token = default)
    {
        var total = 0;
        while (total < buffer.Length && position < Length)
        {
            var source = await Locate(out var offset, sync: false);
            total += Copy(source, offset, buffer.Span[total..]);
        }

        return total;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken token) =>
        ReadAsync(buffer.AsMemory(offset, count), token).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Copy(byte[] source, int offset, Span<byte> destination)
    {
        var n = Math.Min(source.Length - offset, destination.Length);
        source.AsSpan(offset, n).CopyTo(destination);
        position += n;
        return n;
    }

    /// <summary>The array holding the byte at the current position, and the position's offset in it.</summary>
    private ValueTask<byte[]> Locate(out int offset, bool sync)
    {
        if (position >= TailStart)
        {
            offset = (int)(position - TailStart);
            return ValueTask.FromResult(tail);
        }

        var block = position / cache.BlockSize;
        offset = (int)(position - (block * cache.BlockSize));
        if (held.TryGetValue(block, out var data) || cache.TryGetBlock(key, block, out data))
        {
            held[block] = data;
            return ValueTask.FromResult(data);
        }

        return FetchBlockAsync(block, sync);
    }

    private async ValueTask<byte[]> FetchBlockAsync(long block, bool sync)
    {
        if (sync)
        {
            FetchBlocksAsync(block, block).GetAwaiter().GetResult();
        }
        else
        {
            await FetchBlocksAsync(block, block);
        }

        return held[block];
    }

    private async Task FetchBlocksAsync(long first, long last)
    {
        var start = first * cache.BlockSize;
        var length = (int)(Math.Min((last + 1) * cache.BlockSize, Length) - start);
        if (first == last)
        {
            // One block: read straight into the array the cache keeps.
            var data = GC.AllocateUninitializedArray<byte>(length);
            await ReadExactlyAsync(start, data);
            Keep(first, data);
            return;
        }

        // A run: one range read into a pooled buffer, then each block into its own array (blocks
        // are cached and evicted one by one, so none may keep the whole run alive).
        var run = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await ReadExactlyAsync(start, run.AsMemory(0, length));
            for (var block = first; block <= last; block++)
            {
                var offset = (int)((block - first) * cache.BlockSize);
                var data = GC.AllocateUninitializedArray<byte>(Math.Min(cache.BlockSize, length - offset));
                run.AsSpan(offset, data.Length).CopyTo(data);
                Keep(block, data);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(run);
        }
    }

    private void Keep(long block, byte[] data)
    {
        held[block] = data;
        cache.AddBlock(key, block, data);
    }

    private async Task LoadFooterAsync()
    {
        if (cache.TryGetFooter(key, out var cached))
        {
            tail = cached;
            return;
        }

        var probe = new byte[Math.Min(Length, FooterProbe)];
        await ReadExactlyAsync(Length - probe.Length, probe);
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(probe.AsSpan(probe.Length - 8));
        var needed = (long)footerLength + 8;
        if (footerLength <= 0 || needed > Length)
        {
            throw new FormatException($"Object {key} does not end in a Parquet footer.");
        }

        if (needed > probe.Length)
        {
            var whole = new byte[needed];
            await ReadExactlyAsync(Length - needed, whole.AsMemory(0, (int)(needed - probe.Length)));
            probe.CopyTo(whole, needed - probe.Length);
            probe = whole;
        }

        // A small object is held whole; otherwise keep the footer alone, data belongs in blocks.
        tail = probe.Length == Length || probe.Length <= needed ? probe : probe[^(int)needed..];
        cache.AddFooter(key, tail);
    }

    private async Task ReadExactlyAsync(long offset, Memory<byte> destination)
    {
        var read = await store.ReadAsync(key, offset, destination, cancellationToken);
        if (read != destination.Length)
        {
            throw new ObjectStoreException(store.Description, key, $"returned {read} of {destination.Length} bytes at {offset} from", null);
        }
    }
}
