// An immutable snapshot of one stream's metadata. Apply publishes a new snapshot on every change,
// so readers on other threads always see a consistent tail, closure and expiry together.
namespace Ursula.Server.State;

public sealed record StreamMeta(
    long Id,
    string Path,
    string ContentType,
    long CreatedAtMs,
    long? TtlSeconds,
    string? ExpiresAt,
    long? ExpiresAtMs,
    long LastAccessMs,
    bool Closed,
    ProducerRef? ClosedBy,
    long Tail,
    string? LastStreamSeq,
    ForkLink? Fork,
    int RefCount,
    bool SoftDeleted,
    long ArchivedTo,
    long HotBytes)
{
    public bool IsJson { get; } = Streams.ContentTypes.IsJson(ContentType);

    /// <summary>Positions below this come from the fork source chain; 0 for streams that are not forks.</summary>
    public long OwnStart => Fork?.Position ?? 0;

    // ArchivedTo: own positions in [OwnStart, ArchivedTo) live in the archive, the rest in
    // PostgreSQL and the hot tail. HotBytes: payload bytes of own records not archived, which the
    // hot window and the node's hot ceiling are measured in.

    public long? ExpiryMs(long lastAccessMs)
    {
        long? ttlExpiry = TtlSeconds is { } ttl ? lastAccessMs + (ttl * 1000) : null;
        return (ttlExpiry, ExpiresAtMs) switch
        {
            (null, null) => null,
            ({ } a, null) => a,
            (null, { } b) => b,
            ({ } a, { } b) => Math.Min(a, b),
        };
    }

    public bool IsExpiredAt(long nowMs) => ExpiryMs(LastAccessMs) is { } at && nowMs >= at;
}

/// <summary>The producer tuple that closed a stream, so that its retry is recognised as a duplicate.</summary>
public readonly record struct ProducerRef(string Id, long Epoch, long Seq);

/// <summary>
/// Where a fork branches: the source stream (by id, which survives a soft delete) and the position
/// where the fork's own data starts. RequestedPosition and SubOffset are what the client asked for,
/// kept to answer an idempotent re-create.
/// </summary>
public sealed record ForkLink(long SourceId, string SourcePath, long Position, long RequestedPosition, long SubOffset);
