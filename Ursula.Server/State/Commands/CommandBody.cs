namespace Ursula.Server.State.Commands;

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
