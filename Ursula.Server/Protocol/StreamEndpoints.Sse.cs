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

        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        lifetime.CancelAfter(options.SseConnectionLifetime);
        var writer = response.BodyWriter;
        var position = from;
        var controlSentAt = -1L;
        var lastWrite = time.GetTimestamp();
        var ct = lifetime.Token;
        handle.AttachLiveReader();
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
                    var next = await WriteDataFrameAsync(handle, meta, position, base64, clientCursor, writer, ct);
                    if (next == position)
                    {
                        return;
                    }

                    position = next;
                    controlSentAt = position;
                    lastWrite = time.GetTimestamp();
                    await writer.FlushAsync(ct);
                    if (meta.Closed && position >= meta.Tail)
                    {
                        return;
                    }

                    continue;
                }

                var idle = time.GetElapsedTime(lastWrite) >= options.LongPollTimeout;
                if (controlSentAt != position || meta.Closed || idle)
                {
                    // A repeated control while idle is the keep-alive that shows proxies and clients the connection lives.
                    WriteControl(position, meta);
                    lastWrite = time.GetTimestamp();
                    await writer.FlushAsync(ct);
                    if (meta.Closed)
                    {
                        return;
                    }
                }

                // No timer per reader: new data, or the LiveReaderTicker about once a second, wakes
                // every reader of the stream from this one task.
                await pulse;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Lifetime reached or client gone: end the response; the client reconnects from its offset.
        }
        finally
        {
            handle.DetachLiveReader();
        }

        void WriteControl(long at, StreamMeta current)
        {
            SseFormat.WriteControlEvent(writer, Control(at, current, cursors.Next(clientCursor)));
            controlSentAt = at;
        }
    }

    /// <summary>Writes the data event and control event for the next read; returns the position reached.</summary>
    private async ValueTask<long> WriteDataFrameAsync(StreamHandle handle, StreamMeta meta, long position, bool base64, string clientCursor, PipeWriter writer, CancellationToken ct)
    {
        // Cursors echoed by a client get jitter of their own, so only cursor-less readers share frames.
        var cursor = cursors.Next(clientCursor);
        var shareable = string.IsNullOrEmpty(clientCursor);
        if (shareable && handle.SseFrames.TryGet(position, meta.Tail, meta.Closed, cursor) is { } cached)
        {
            writer.Write(cached.Bytes);
            return cached.Next;
        }

        var slice = await reader.ReadAsync(handle, meta, position, options.MaxReadChunkBytes, ct);
        if (slice.IsEmpty)
        {
            return position;
        }

        var frame = new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue, (slice.TotalBytes * 4 / 3) + 256));
        SseFormat.WriteDataEvent(frame, slice.Parts, meta.IsJson, base64);
        SseFormat.WriteControlEvent(frame, Control(slice.Next, meta, cursor));
        var bytes = frame.WrittenSpan.ToArray();
        if (shareable)
        {
            handle.SseFrames.Store(new SharedFrameCache.Frame(position, meta.Tail, meta.Closed, cursor, slice.Next, bytes));
        }

        writer.Write(bytes);
        return slice.Next;
    }

    private static SseControl Control(long at, StreamMeta meta, string cursor)
    {
        var atTail = at >= meta.Tail;
        var closed = atTail && meta.Closed;
        return new SseControl(StreamOffset.Format(at), closed ? null : cursor, atTail ? true : null, closed ? true : null);
    }
}
