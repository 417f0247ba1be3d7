// The live object for one stream incarnation (a stream id): its published metadata, hot tail,
// wake-up signal and producer table. Producers are touched only by the apply thread.
namespace Ursula.Server.State;

public sealed class StreamHandle(StreamMeta meta, long hotStart)
{
    private StreamMeta meta = meta;

    public long Id => Meta.Id;

    public StreamMeta Meta
    {
        get => Volatile.Read(ref meta);
        set => Volatile.Write(ref meta, value);
    }

    public StreamData Data { get; } = new(hotStart);

    public StreamSignal Signal { get; } = new();

    /// <summary>The last live reads of this stream, shared by the tail readers at the same position.</summary>
    public Reading.SharedFrameCache<Reading.ReadSlice> Slices { get; } = new();

    /// <summary>The last live SSE frames encoded for this stream, shared by its SSE subscribers.</summary>
    public Reading.SharedFrameCache<byte[]> SseFrames { get; } = new();

    public Dictionary<string, ProducerState> Producers { get; } = new(StringComparer.Ordinal);

    private int liveReaders;

    /// <summary>Ticked live readers (SSE, hub) currently attached; the ticker wakes their streams about once a second.</summary>
    public int LiveReaders => Volatile.Read(ref liveReaders);

    public void AttachLiveReader() => Interlocked.Increment(ref liveReaders);

    public void DetachLiveReader() => Interlocked.Decrement(ref liveReaders);

    private Ursula.Archive.Manifest.ManifestEntry[] archive = [];

    /// <summary>The stream's archived ranges in position order, replaced (never changed) by apply.</summary>
    public Ursula.Archive.Manifest.ManifestEntry[] Archive
    {
        get => Volatile.Read(ref archive);
        set => Volatile.Write(ref archive, value);
    }

    /// <summary>Set once the stream is deleted for good, so that waiting readers end.</summary>
    public bool Removed { get; set; }
}
