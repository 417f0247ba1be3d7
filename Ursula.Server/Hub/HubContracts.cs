// The values the hub exchanges with clients, kept together because together they are the hub's
// wire contract (docs/signalr.md). Field names are camelCase on both protocols: the JSON protocol
// names them so by default, and the MessagePack keys below say so for MessagePack.
using MessagePack;

namespace Ursula.Server.Hub;

/// <summary>
/// One item of a subscription: the data read from the previous item's position (text for text
/// streams, a JSON array text for JSON streams, base64 for binary streams; empty, or "[]", when
/// the item only reports that the subscriber is up to date), and where to resume.
/// </summary>
[MessagePackObject]
public sealed record StreamItem(
    [property: Key("data")] string Data,
    [property: Key("nextOffset")] string NextOffset,
    [property: Key("upToDate")] bool UpToDate,
    [property: Key("closed")] bool Closed);

/// <summary>An idempotent producer's claim, as the Producer-Id, -Epoch and -Seq headers carry it.</summary>
[MessagePackObject]
public sealed record ProducerClaimInput(
    [property: Key("id")] string Id,
    [property: Key("epoch")] long Epoch,
    [property: Key("seq")] long Seq);

/// <summary>
/// The answer to an append or a close: the offset after it, null for a producer's duplicate (its
/// first delivery was already applied; the stream is unchanged by this one).
/// </summary>
[MessagePackObject]
public sealed record AppendResult(
    [property: Key("nextOffset")] string? NextOffset,
    [property: Key("duplicate")] bool Duplicate);

/// <summary>The answer to a create: the stream's tail, and false when an identical stream already existed.</summary>
[MessagePackObject]
public sealed record CreateResult(
    [property: Key("nextOffset")] string NextOffset,
    [property: Key("created")] bool Created);

/// <summary>A stream's metadata, as HEAD gives it.</summary>
[MessagePackObject]
public sealed record StreamInfo(
    [property: Key("path")] string Path,
    [property: Key("contentType")] string ContentType,
    [property: Key("nextOffset")] string NextOffset,
    [property: Key("closed")] bool Closed,
    [property: Key("ttlSeconds")] long? TtlSeconds,
    [property: Key("expiresAt")] string? ExpiresAt);
