namespace Ursula.Server.State;

/// <summary>The durable state a node restores from PostgreSQL.</summary>
public sealed record CatalogState(
    IReadOnlyList<StreamMeta> Streams,
    IReadOnlyList<(long StreamId, string ProducerId, ProducerState State)> Producers,
    long NextStreamId,
    long AppliedIndex,
    long AppliedTerm,
    long ClockMs)
{
    public static CatalogState Empty { get; } = new([], [], 1, 0, 0, 0);

    /// <summary>The archive manifest: every archived range of every stream.</summary>
    public IReadOnlyList<Ursula.Archive.Manifest.ManifestEntry> Manifest { get; init; } = [];

    /// <summary>Objects that still hold rows of streams no entry points to.</summary>
    public IReadOnlyList<Archive.ArchiveGarbage> Garbage { get; init; } = [];

    /// <summary>Every subscription's state, as stored (JSON).</summary>
    public IReadOnlyList<string> Subscriptions { get; init; } = [];

    /// <summary>The webhook signing key's seed, null before the first subscription.</summary>
    public byte[]? SigningKeySeed { get; init; }
}
