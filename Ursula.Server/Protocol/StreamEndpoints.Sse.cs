// GET ?live=sse: catch-up then live tail as Server-Sent Events. Each read is written as one data
// event followed by its control event, in one write, straight into the response pipe. The
// connection ends when the stream closes or after the configured lifetime.
using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Ursula.Server.State;
using Ursula.Server.Streams;
using Ursula.Server.State.Reading;

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

        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        lifetime.CancelAfter(options.SseConnectionLifetime);
        var writer = response.BodyWriter;
        var ct = lifetime.Token;

        // A repeated control while idle is the keep-alive that shows proxies and clients the connection lives.
        var read = new TailReadOptions(options.MaxReadChunkBytes, KeepAlive: options.LongPollTimeout);
        var (position, latest) = (from, meta);
        try
        {
            await foreach (var item in tail.ReadAsync(handle, from, read, ct))
            {
                (position, latest) = (item.Kind == TailItemKind.Data ? item.Slice!.Next : item.Position, item.Meta);
                switch (item.Kind)
                {
                    case TailItemKind.Data:
                        WriteDataFrame(handle, item, base64, clientCursor, writer);
                        break;
                    case TailItemKind.UpToDate or TailItemKind.KeepAlive:
                        SseFormat.WriteControlEvent(writer, Control(item.Position, item.Meta, cursors.Next(clientCursor)));
                        break;
                    default:
                        return;
                }

                await writer.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            // The node is stopping: a last control event with the offset to resume from (on another
            // node), then the response ends cleanly.
            SseFormat.WriteControlEvent(writer, Control(position, latest, cursors.Next(clientCursor)));
            using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await writer.FlushAsync(flush.Token);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Lifetime reached or client gone: end the response; the client reconnects from its offset.
        }
    }

    /// <summary>Writes the data event and control event of one data item, encoded once for every subscriber at its position.</summary>
    private void WriteDataFrame(StreamHandle handle, TailItem item, bool base64, string clientCursor, PipeWriter writer)
    {
        // Cursors echoed by a client get jitter of their own, so only cursor-less readers share frames.
        var slice = item.Slice!;
        var cursor = cursors.Next(clientCursor);
        var shareable = string.IsNullOrEmpty(clientCursor);
        var key = new FrameKey(slice.From, item.Meta.Tail, item.Meta.Closed, cursor);
        if (shareable && handle.SseFrames.TryGet(key) is { } cached)
        {
            writer.Write(cached);
            return;
        }

        var frame = new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue, (slice.TotalBytes * 4 / 3) + 256));
        SseFormat.WriteDataEvent(frame, slice.Parts, item.Meta.IsJson, base64);
        SseFormat.WriteControlEvent(frame, Control(slice.Next, item.Meta, cursor));
        var bytes = frame.WrittenSpan.ToArray();
        if (shareable)
        {
            handle.SseFrames.Store(key, bytes);
        }

        writer.Write(bytes);
    }

    private static SseControl Control(long at, StreamMeta meta, string cursor)
    {
        var atTail = at >= meta.Tail;
        var closed = atTail && meta.Closed;
        return new SseControl(StreamOffset.Format(at), closed ? null : cursor, atTail ? true : null, closed ? true : null);
    }
}
