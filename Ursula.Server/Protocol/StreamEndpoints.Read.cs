// GET: catch-up reads in chunks, long-poll, and the entry to SSE; ETags and cache headers.
using System.Buffers;
using Microsoft.Extensions.Primitives;
using Ursula.Server.State;
using Ursula.Server.State.Reading;
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

public sealed partial class StreamEndpoints
{
    private static readonly byte[] EmptyJsonArray = "[]"u8.ToArray();

    private enum LiveMode
    {
        None,
        LongPoll,
        Sse,
    }

    private async Task ReadAsync(HttpContext context, string path)
    {
        var query = context.Request.Query;
        var offsets = query[ProtocolHeaders.OffsetQuery];
        if (offsets.Count > 1)
        {
            await Problem.WriteAsync(context, 400, "Only one offset parameter is allowed");
            return;
        }

        var offsetText = offsets.Count == 1 ? offsets[0] : null;
        var live = query[ProtocolHeaders.LiveQuery].ToString() switch
        {
            "" => LiveMode.None,
            "long-poll" => LiveMode.LongPoll,
            "sse" => LiveMode.Sse,
            _ => (LiveMode?)null,
        };
        if (live is null)
        {
            await Problem.WriteAsync(context, 400, "live must be long-poll or sse");
            return;
        }

        if (offsetText is null && live != LiveMode.None)
        {
            await Problem.WriteAsync(context, 400, "Live reads need an offset parameter");
            return;
        }

        if (!ReadOffset.TryParse(offsetText, out var requested))
        {
            await Problem.WriteAsync(context, 400, "offset must be -1, now, or an offset this server returned");
            return;
        }

        var (handle, meta) = await FindAsync(context, path);
        if (handle is null || meta is null)
        {
            return;
        }

        submitter.Touch(meta);
        var from = requested.From(meta.Tail);
        if (from > meta.Tail)
        {
            (meta, var caughtUp) = await lookup.WaitForTailAsync(handle, from, context.RequestAborted);
            if (!caughtUp)
            {
                await Problem.WriteAsync(context, 400, "offset is beyond the end of the stream");
                return;
            }
        }

        var cursor = query[ProtocolHeaders.CursorQuery].ToString();
        switch (live.Value)
        {
            case LiveMode.Sse:
                await StreamSseAsync(context, handle, from, cursor);
                return;
            case LiveMode.None when requested.IsNow:
                await WriteNowAsync(context, meta);
                return;
            case LiveMode.LongPoll:
                await LongPollAsync(context, handle, meta, from, cursor, requested);
                return;
            default:
                var slice = await reader.ReadAsync(handle, meta, from, options.MaxReadChunkBytes, context.RequestAborted);
                await WriteChunkAsync(context, meta, slice, requested, cursor: null);
                return;
        }
    }

    private async Task LongPollAsync(HttpContext context, StreamHandle handle, StreamMeta meta, long from, string cursor, ReadOffset requested)
    {
        // A stopping node answers its waiting long-polls at once, as if they had timed out; one
        // whose bearer token expires while it waits is answered 401 then (the access step's token).
        var expired = context.Features.Get<Access.AccessRequestFeature>()?.Expired ?? CancellationToken.None;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping, expired);
        timeout.CancelAfter(options.LongPollTimeout);
        var at = new TailItem(TailItemKind.UpToDate, meta, from, null);
        try
        {
            await foreach (var item in tail.ReadAsync(handle, from, new TailReadOptions(options.MaxReadChunkBytes), timeout.Token))
            {
                at = item;
                if (item.Kind == TailItemKind.Data)
                {
                    await WriteChunkAsync(context, item.Meta, item.Slice!, requested, cursor);
                    return;
                }

                if (item.Kind == TailItemKind.Gone || item.Closed)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (expired.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.WWWAuthenticate = Access.AccessMiddleware.ExpiredChallenge;
            await Problem.WriteAsync(context, StatusCodes.Status401Unauthorized, "The bearer token expired while the long-poll waited; read again with a fresh token");
            return;
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Nothing arrived in time: 204 at the position the client asked for, the tail it last saw.
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        SetAtTailHeaders(response, at.Meta, at.Position);
        if (!at.Closed)
        {
            response.Headers[ProtocolHeaders.Cursor] = cursors.Next(cursor);
        }
    }

    private async Task WriteChunkAsync(HttpContext context, StreamMeta meta, ReadSlice slice, ReadOffset requested, string? cursor)
    {
        var response = context.Response;
        var atTail = slice.Next >= meta.Tail;
        var eof = atTail && meta.Closed;
        var etag = $"\"{meta.Id}:{StreamOffset.Format(slice.From)}:{StreamOffset.Format(slice.Next)}{(eof ? ":c" : string.Empty)}\"";
        response.Headers.ETag = etag;
        response.Headers[ProtocolHeaders.NextOffset] = StreamOffset.Format(slice.Next);
        if (atTail)
        {
            response.Headers[ProtocolHeaders.UpToDate] = "true";
        }

        if (eof)
        {
            response.Headers[ProtocolHeaders.Closed] = "true";
        }

        if (cursor is not null && !eof)
        {
            response.Headers[ProtocolHeaders.Cursor] = cursors.Next(cursor);
        }

        response.Headers.CacheControl = slice.IsEmpty && !eof ? "no-store" : options.CatchUpCacheControl;
        if (IfNoneMatch(context.Request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = meta.ContentType;
        await WriteBodyAsync(response, meta.IsJson, slice.Parts, context.RequestAborted);
    }

    private static async Task WriteBodyAsync(HttpResponse response, bool json, IReadOnlyList<ReadOnlyMemory<byte>> parts, CancellationToken cancellationToken)
    {
        long length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        if (json)
        {
            length += parts.Count == 0 ? 2 : parts.Count + 1;
        }

        response.ContentLength = length;
        var writer = response.BodyWriter;
        if (json)
        {
            writer.Write("["u8);
        }

        for (var i = 0; i < parts.Count; i++)
        {
            if (json && i > 0)
            {
                writer.Write(","u8);
            }

            writer.Write(parts[i].Span);
        }

        if (json)
        {
            writer.Write("]"u8);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>An answer at the tail: uncacheable, up to date, and EOF when the stream is closed.</summary>
    private static void SetAtTailHeaders(HttpResponse response, StreamMeta meta, long? position = null)
    {
        var at = position ?? meta.Tail;
        response.Headers.CacheControl = "no-store";
        response.Headers[ProtocolHeaders.NextOffset] = StreamOffset.Format(at);
        response.Headers[ProtocolHeaders.UpToDate] = "true";
        if (at >= meta.Tail && meta.Closed)
        {
            response.Headers[ProtocolHeaders.Closed] = "true";
        }
    }

    private static Task WriteNowAsync(HttpContext context, StreamMeta meta)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = meta.ContentType;
        SetAtTailHeaders(response, meta);

        if (meta.IsJson)
        {
            response.ContentLength = EmptyJsonArray.Length;
            return response.Body.WriteAsync(EmptyJsonArray, context.RequestAborted).AsTask();
        }

        response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private static bool IfNoneMatch(StringValues values, string etag)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var candidate in value.Split(','))
            {
                var trimmed = candidate.Trim();
                if (trimmed == etag || trimmed == "*" || (trimmed.StartsWith("W/", StringComparison.Ordinal) && trimmed[2..] == etag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
