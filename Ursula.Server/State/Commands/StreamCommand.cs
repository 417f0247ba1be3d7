// The write model: every change to a stream is one of these commands, sequenced into the Raft
// log and applied deterministically on every node. Commands carry only what the HTTP layer could
// validate without state; apply decides every outcome.
namespace Ursula.Server.State.Commands;

public enum CommandKind : byte
{
    Create = 1,
    Append = 2,
    Delete = 3,
    Touch = 4,
    Expire = 5,
}

/// <summary>
/// The body of a create or append. JSON bodies arrive already flattened (JsonCount messages); a
/// JSON append the HTTP layer found malformed carries the reason instead (JsonCount is
/// <see cref="Malformed"/>, Payload the UTF-8 reason), so that apply answers 400 only after the
/// checks that come first (a closed stream, a content type mismatch).
/// </summary>
public readonly record struct CommandBody(ReadOnlyMemory<byte> Payload, int JsonCount)
{
    /// <summary>JsonCount for a body that was not parsed as JSON by the HTTP layer.</summary>
    public const int Raw = -1;

    /// <summary>JsonCount for a JSON body that is not acceptable; Payload holds the reason.</summary>
    public const int Malformed = -2;

    public static CommandBody None => new(ReadOnlyMemory<byte>.Empty, Raw);

    public static CommandBody Invalid(string reason) => new(System.Text.Encoding.UTF8.GetBytes(reason), Malformed);

    /// <summary>
    /// The body of an append of <paramref name="payload"/> (not empty) sent as <paramref name="contentType"/>.
    /// JSON is flattened here, off the apply thread. A body that is not acceptable still goes to
    /// apply, marked with the reason: a closed stream or another content type answers 409 first
    /// (the protocol's error precedence), and only then is it a 400.
    /// </summary>
    public static CommandBody ForAppend(ReadOnlyMemory<byte> payload, string contentType)
    {
        if (!Streams.ContentTypes.IsJson(contentType))
        {
            return new CommandBody(payload, Raw);
        }

        return Streams.JsonMessages.TryFlatten(payload, allowEmptyArray: false, out var batch, out var jsonError)
            ? new CommandBody(batch.Payload, batch.Count)
            : Invalid(jsonError!);
    }

    public bool IsEmpty => Payload.IsEmpty && JsonCount is Raw or 0;

    public bool IsJson => JsonCount >= 0;

    public bool IsMalformed => JsonCount == Malformed;

    public string MalformedReason => IsMalformed ? System.Text.Encoding.UTF8.GetString(Payload.Span) : string.Empty;
}

public readonly record struct ProducerClaim(string Id, long Epoch, long Seq);

public readonly record struct ForkRequest(string SourcePath, long? Position, long SubOffset);

public abstract record StreamCommand(string Path)
{
    public abstract CommandKind Kind { get; }
}

public sealed record CreateStreamCommand(
    string Path,
    string? ContentType,
    long? TtlSeconds,
    string? ExpiresAt,
    bool Closed,
    CommandBody Body,
    ForkRequest? Fork) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Create;
}

public sealed record AppendStreamCommand(
    string Path,
    string? ContentType,
    string? StreamSeq,
    ProducerClaim? Producer,
    bool Close,
    CommandBody Body) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Append;
}

public sealed record DeleteStreamCommand(
    string Path) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Delete;
}

/// <summary>A read renewed a sliding TTL; replicated so that every node expires streams alike.</summary>
public sealed record TouchStreamCommand(
    string Path, long StreamId) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Touch;
}

/// <summary>The leader's sweeper found the stream past its expiry; apply re-checks with the entry time.</summary>
public sealed record ExpireStreamCommand(
    string Path, long StreamId) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Expire;
}
