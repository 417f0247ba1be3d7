// The one validator of commands. The HTTP layer runs every command it builds through it, and the
// leader runs every command a follower forwards through it, so a command reaches the log only if
// a request to this node could have produced it: path rules, well-formed content types and JSON
// bodies (whose message count matches the payload), non-negative positions, producer numbers in
// range, sizes within limits. What needs state (does the stream exist, is it closed) is apply's.
using System.Text.Unicode;
using Ursula.Server.Streams;

namespace Ursula.Server.State.Commands;

public static class CommandValidator
{
    /// <summary>Null when the command is acceptable, else the reason for a 400.</summary>
    /// <param name="command">The command.</param>
    /// <param name="limits">This node's limits.</param>
    /// <param name="jsonFlattenedHere">
    /// True when this node's HTTP layer built the JSON body itself with <see cref="JsonMessages.TryFlatten"/>,
    /// which already proved it well-formed; a body decoded from another node's bytes is parsed again.
    /// </param>
    public static string? Validate(Command candidate, CommandLimits limits, bool jsonFlattenedHere)
    {
        if (!candidate.IsClientCommand)
        {
            return $"{candidate.Kind} commands are issued by the leader itself, never on a client's behalf";
        }

        if (candidate is StreamCommand command)
        {
            if (StreamPath.Check(command.Path, limits.MaxPathBytes) is { } pathError)
            {
                return pathError;
            }

            if (StreamPath.IsSubscription(command.Path))
            {
                return "Paths with a __ds segment are reserved for subscriptions";
            }
        }

        // What is particular to each kind lives with the kind (Command.ValidateFields).
        return candidate.ValidateFields(limits, jsonFlattenedHere);
    }

    internal static string? ValidateCreate(CreateStreamCommand command, CommandLimits limits, bool jsonFlattenedHere)
    {
        if (command.ContentType is not null && ContentTypeProblem(command.ContentType) is { } typeError)
        {
            return typeError;
        }

        if (command.TtlSeconds is < 0)
        {
            return "Stream-TTL must be a non-negative whole number of seconds";
        }

        if (command.ExpiresAt is not null && (command.ExpiresAt.Length > CommandLimits.MaxHeaderValueLength || !Rfc3339.TryParse(command.ExpiresAt, out _)))
        {
            return "Stream-Expires-At must be an RFC 3339 timestamp";
        }

        if (command.TtlSeconds is not null && command.ExpiresAt is not null)
        {
            return "Stream-TTL and Stream-Expires-At cannot be combined";
        }

        if (command.Fork is { } fork)
        {
            if (StreamPath.Check(fork.SourcePath, limits.MaxPathBytes) is { } sourceError)
            {
                return $"Stream-Forked-From: {sourceError}";
            }

            if (fork.Position is < 0)
            {
                return "Stream-Fork-Offset is not a valid offset";
            }

            if (fork.SubOffset < 0)
            {
                return "Stream-Fork-Sub-Offset must be a non-negative whole number";
            }
        }

        // A fork without a Content-Type may carry JSON: its source's type decided how it was parsed.
        var json = command.ContentType is null ? command.Fork is not null && command.Body.IsJson : ContentTypes.IsJson(command.ContentType);
        return BodyProblem(command.Body, json, allowEmptyArray: true, allowMalformed: false, limits, jsonFlattenedHere);
    }

    internal static string? ValidateAppend(AppendStreamCommand command, CommandLimits limits, bool jsonFlattenedHere)
    {
        if (command.Body.IsEmpty)
        {
            // Only a close may be empty; it ignores whatever Content-Type came with it.
            return command.Close ? null : "An append needs a body (only a close, with Stream-Closed: true, may be empty)";
        }

        if (command.ContentType is null)
        {
            return "Content-Type is required when appending data";
        }

        if (ContentTypeProblem(command.ContentType) is { } typeError)
        {
            return typeError;
        }

        if (command.StreamSeq is not null && (command.StreamSeq.Length is 0 or > CommandLimits.MaxHeaderValueLength || !IsHeaderText(command.StreamSeq)))
        {
            return $"Stream-Seq must be 1 to {CommandLimits.MaxHeaderValueLength} characters of header text";
        }

        if (command.Producer is { } producer)
        {
            if (producer.Id.Length is 0 or > CommandLimits.MaxHeaderValueLength || !IsHeaderText(producer.Id))
            {
                return $"Producer-Id must be 1 to {CommandLimits.MaxHeaderValueLength} characters of header text";
            }

            if (!ProducerNumbers.IsValid(producer.Epoch))
            {
                return "Producer-Epoch must be a non-negative integer no larger than 2^53-1";
            }

            if (!ProducerNumbers.IsValid(producer.Seq))
            {
                return "Producer-Seq must be a non-negative integer no larger than 2^53-1";
            }
        }

        return BodyProblem(command.Body, ContentTypes.IsJson(command.ContentType), allowEmptyArray: false, allowMalformed: true, limits, jsonFlattenedHere);
    }

    private static string? BodyProblem(CommandBody body, bool json, bool allowEmptyArray, bool allowMalformed, CommandLimits limits, bool jsonFlattenedHere)
    {
        if (body.Payload.Length > limits.MaxBodyBytes)
        {
            return $"The body exceeds the limit of {limits.MaxBodyBytes} bytes";
        }

        switch (body.JsonCount)
        {
            case CommandBody.Raw:
                return json && !body.Payload.IsEmpty ? "A JSON body must arrive as flattened messages" : null;
            case CommandBody.Malformed:
                return allowMalformed && json && IsReason(body.Payload.Span) ? null : "A malformed-body marker is only valid on a JSON append, with a short reason";
            case 0:
                return allowEmptyArray && json && body.Payload.IsEmpty ? null : "Empty JSON arrays cannot be appended";
            case > 0 when json:
                return jsonFlattenedHere || JsonMessages.IsFlattened(body.Payload.Span, body.JsonCount)
                    ? null
                    : $"The JSON body is not {body.JsonCount} well-formed messages";
            default:
                return $"{body.JsonCount} is not a valid message count for this body";
        }
    }

    private static string? ContentTypeProblem(string contentType) =>
        contentType.Length <= CommandLimits.MaxHeaderValueLength && IsHeaderText(contentType) && ContentTypes.IsWellFormed(contentType)
            ? null
            : "Content-Type must be a media type such as text/plain";

    private static bool IsReason(ReadOnlySpan<byte> reason) =>
        reason.Length is > 0 and <= CommandLimits.MaxReasonBytes && Utf8.IsValid(reason) && !reason.ContainsAnyInRange((byte)0, (byte)0x1F);

    /// <summary>What Kestrel lets through in a header value: no control characters but tab.</summary>
    private static bool IsHeaderText(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' and not '\t' or '\x7f')
            {
                return false;
            }
        }

        return true;
    }
}
