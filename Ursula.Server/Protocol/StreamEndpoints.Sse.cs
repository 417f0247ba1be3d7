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

        // The access step's token for the caller's token expiry (none without authentication).
        var expired = context.Features.Get<Access.AccessRequestFeature>()?.Expired ?? CancellationToken.None;
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping, expired);
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
                        WriteDataFrame(context, handle, item, base64, clientCursor, writer);
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
        catch (OperationCanceledException) when (expired.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            // The token expired: a last control event at the position reached, then the end; the
            // client's reconnect with the same token is answered 401.
            SseFormat.WriteControlEvent(writer, Control(position, latest, cursors.Next(clientCursor)));
            await writer.WriteAsync(": token expired\n\n"u8.ToArray(), CancellationToken.None);
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
    private void WriteDataFrame(HttpContext context, StreamHandle handle, TailItem item, bool base64, string clientCursor, PipeWriter writer)
    {
        // The data event is the same for every reader at this position and is encoded once; the
        // control event after it carries each reader's own cursor (clients that echo a cursor get
        // jitter of their own), so it is written per reader. The shared event counts against the
        // hot-tail budget: when the budget has no room it is sent without being kept.
        var slice = item.Slice!;
        var key = new FrameKey(slice.From, item.Meta.Tail, item.Meta.Closed, base64 ? "b64" : "text");
        if (handle.SseFrames.TryGet(key) is not { } data)
        {
            var frame = new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue, (slice.TotalBytes * 4 / 3) + 256));
            SseFormat.WriteDataEvent(frame, slice.Parts, item.Meta.IsJson, base64);
            data = frame.WrittenSpan.ToArray();
            Share(context.RequestServices.GetRequiredService<HotTailBudget>(), handle, key, data);
        }

        writer.Write(data);
        SseFormat.WriteControlEvent(writer, Control(slice.Next, item.Meta, cursors.Next(clientCursor)));
    }

    private static void Share(HotTailBudget budget, StreamHandle handle, FrameKey key, byte[] data)
    {
        if (!budget.TryAdmitSharedFrame(data.Length))
        {
            return;
        }

        if (!handle.SseFrames.TryReplace(key, data, out var replaced))
        {
            budget.ReleaseSharedFrame(data.Length);
        }
        else if (replaced is not null)
        {
            budget.ReleaseSharedFrame(replaced.Length);
        }
    }

    private static SseControl Control(long at, StreamMeta meta, string cursor)
    {
        var atTail = at >= meta.Tail;
        var closed = atTail && meta.Closed;
        return new SseControl(StreamOffset.Format(at), closed ? null : cursor, atTail ? true : null, closed ? true : null);
    }
}
