// PUT: create a stream (optionally closed, with a TTL or deadline, or as a fork).
using Ursula.Server.State.Commands;
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

public sealed partial class StreamEndpoints
{
    private async Task CreateAsync(HttpContext context, string path)
    {
        var headers = context.Request.Headers;
        var forkedFromHeader = headers[ProtocolHeaders.ForkedFrom].ToString();
        var isFork = !string.IsNullOrEmpty(forkedFromHeader);

        // The header names the source as it appears in a URL path (percent-encoded); the stream
        // is the one a request to that path addresses.
        var forkedFrom = isFork ? StreamPath.FromUrlPath(forkedFromHeader) : string.Empty;
        if (forkedFrom is null)
        {
            await Problem.WriteAsync(context, 400, "Stream-Forked-From must be the source stream's URL path, percent-encoded as UTF-8");
            return;
        }

        var contentType = context.Request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            contentType = null;
        }
        else if (!ContentTypes.IsWellFormed(contentType))
        {
            await Problem.WriteAsync(context, 400, "Content-Type must be a media type such as text/plain");
            return;
        }

        var ttlText = headers[ProtocolHeaders.Ttl].ToString();
        var expiresText = headers[ProtocolHeaders.ExpiresAt].ToString();
        if (ttlText.Length > 0 && expiresText.Length > 0)
        {
            await Problem.WriteAsync(context, 400, "Stream-TTL and Stream-Expires-At cannot be combined");
            return;
        }

        long? ttl = null;
        if (ttlText.Length > 0)
        {
            if (!HeaderValues.TryParseCanonicalInteger(ttlText, out var seconds))
            {
                await Problem.WriteAsync(context, 400, "Stream-TTL must be a non-negative whole number of seconds");
                return;
            }

            ttl = seconds;
        }

        if (expiresText.Length > 0 && !Rfc3339.TryParse(expiresText, out _))
        {
            await Problem.WriteAsync(context, 400, "Stream-Expires-At must be an RFC 3339 timestamp");
            return;
        }

        if (!TryParseFork(context, isFork, forkedFrom, out var fork, out var forkError))
        {
            await Problem.WriteAsync(context, 400, forkError!);
            return;
        }

        if (fork is { SubOffset: > 0 } subFork && !await SubOffsetFitsAsync(context, subFork))
        {
            await Problem.WriteAsync(context, 400, "Stream-Fork-Sub-Offset names a position past the next data boundary");
            return;
        }

        using var body = await RequestBody.ReadAsync(context.Request, options.MaxAppendBytes, context.RequestAborted);
        if (body is null)
        {
            await RequestBody.WriteTooLargeAsync(context, options.MaxAppendBytes);
            return;
        }

        // JSON is validated here, off the apply thread. A fork without a Content-Type takes its
        // source's type, which this node's state tells us; apply re-checks it authoritatively.
        var effectiveType = contentType ?? (isFork && catalog.TryGet(forkedFrom, out var source) ? source.Meta.ContentType : null);
        var commandBody = CommandBody.None with { Payload = body.Memory };
        if (body.Length > 0 && ContentTypes.IsJson(effectiveType))
        {
            if (!JsonMessages.TryFlatten(body.Memory, allowEmptyArray: true, out var batch, out var jsonError))
            {
                await Problem.WriteAsync(context, 400, jsonError!);
                return;
            }

            commandBody = new CommandBody(batch.Payload, batch.Count);
        }

        var command = new CreateStreamCommand(
            path,
            isFork ? contentType : contentType ?? ContentTypes.OctetStream,
            ttl,
            expiresText.Length > 0 ? expiresText : null,
            HeaderValues.IsTrue(headers[ProtocolHeaders.Closed]),
            commandBody,
            fork);

        var outcome = await SubmitAsync(command, body, context);

        if (outcome.Status is 200 or 201)
        {
            context.Response.ContentType = outcome.ContentType;
            if (outcome.Status == 201)
            {
                var request = context.Request;
                context.Response.Headers.Location = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
            }
        }

        await WriteOutcomeAsync(context, outcome);
    }

    /// <summary>
    /// Whether a sub-offset stays inside the record at the fork offset. Judged here, where the
    /// source can be read from any tier (the archive included), never in apply; apply only keeps
    /// the branch point within the source's tail.
    /// </summary>
    private async ValueTask<bool> SubOffsetFitsAsync(HttpContext context, ForkRequest fork)
    {
        if ((!catalog.TryGet(fork.SourcePath, out var source) || (fork.Position ?? 0) > source.Meta.Tail) && submitter.MayBeBehind)
        {
            // A source (or its tail) acknowledged through another node may not be here yet.
            await submitter.SyncWithLeaderAsync(context.RequestAborted);
        }

        if (!catalog.TryGet(fork.SourcePath, out source))
        {
            return true; // apply answers 404
        }

        var position = fork.Position ?? source.Meta.Tail;
        return position > source.Meta.Tail || fork.SubOffset <= await reader.ExtentAfterAsync(source, position, context.RequestAborted);
    }

    private static bool TryParseFork(HttpContext context, bool isFork, string forkedFrom, out ForkRequest? fork, out string? error)
    {
        fork = null;
        error = null;
        var headers = context.Request.Headers;
        var offsetText = headers[ProtocolHeaders.ForkOffset].ToString();
        var hasSub = headers.ContainsKey(ProtocolHeaders.ForkSubOffset);
        if (!isFork)
        {
            if (hasSub || offsetText.Length > 0)
            {
                error = "Stream-Fork-Offset and Stream-Fork-Sub-Offset require Stream-Forked-From";
                return false;
            }

            return true;
        }

        long? position = null;
        if (offsetText.Length > 0)
        {
            if (!StreamOffset.TryParse(offsetText, out var offset))
            {
                error = "Stream-Fork-Offset is not a valid offset";
                return false;
            }

            // No stream is that long: the upper half is reserved and always zero in offsets we mint.
            position = offset.High == 0 ? offset.Position : long.MaxValue;
        }

        long sub = 0;
        if (hasSub && !HeaderValues.TryParseCanonicalInteger(headers[ProtocolHeaders.ForkSubOffset].ToString(), out sub))
        {
            error = "Stream-Fork-Sub-Offset must be a non-negative whole number";
            return false;
        }

        fork = new ForkRequest(forkedFrom, position, sub);
        return true;
    }
}
