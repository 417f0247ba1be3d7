// GET ?live=sse: catch-up then live tail as Server-Sent Events. Each read is written as one data
// event followed by its control event, in one write, straight into the response pipe. The
// connection ends when the stream closes or after the configured lifetime.
using Microsoft.AspNetCore.Http.Features;
using Ursula.Server.State;

namespace Ursula.Server.Protocol;

public sealed partial class StreamEndpoints
{
    private async Task StreamSseAsync(HttpContext context, StreamHandle handle, long from, string clientCursor)
    {
        var response = context.Response;
        var meta = handle.Meta;
        var base64 = !ContentTypes.IsSseText(meta.ContentType);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        if (base64)
        {
            response.Headers[ProtocolHeaders.SseDataEncoding] = "base64";
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(context.RequestAborted);
        await response.BodyWriter.FlushAsync(context.RequestAborted);

        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        lifetime.CancelAfter(options.SseConnectionLifetime);
        var writer = response.BodyWriter;
        var position = from;
        var controlSentAt = -1L;
        var ct = lifetime.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var pulse = handle.Signal.NextPulse;
                meta = handle.Meta;
                if (handle.Removed || meta.SoftDeleted)
                {
                    return;
                }

                if (position < meta.Tail)
                {
                    var slice = await reader.ReadAsync(handle, meta, position, options.MaxReadChunkBytes, ct);
                    if (slice.IsEmpty)
                    {
                        return;
                    }

                    position = slice.Next;
                    SseFormat.WriteDataEvent(writer, slice.Parts, meta.IsJson, base64);
                    WriteControl(position, meta);
                    await writer.FlushAsync(ct);
                    if (meta.Closed && position >= meta.Tail)
                    {
                        return;
                    }

                    continue;
                }

                if (controlSentAt != position || meta.Closed)
                {
                    WriteControl(position, meta);
                    await writer.FlushAsync(ct);
                    if (meta.Closed)
                    {
                        return;
                    }
                }

                try
                {
                    await pulse.WaitAsync(options.LongPollTimeout, ct);
                }
                catch (TimeoutException)
                {
                    // Idle: a keep-alive control lets proxies and clients see the connection live.
                    controlSentAt = -1;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Lifetime reached or client gone: end the response; the client reconnects from its offset.
        }

        void WriteControl(long at, StreamMeta current)
        {
            var atTail = at >= current.Tail;
            var closed = atTail && current.Closed;
            var control = new SseControl(
                StreamOffset.Format(at),
                closed ? null : cursors.Next(clientCursor),
                atTail ? true : null,
                closed ? true : null);
            SseFormat.WriteControlEvent(writer, control);
            controlSentAt = at;
        }
    }
}
