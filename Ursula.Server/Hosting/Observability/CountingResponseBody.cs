// The response body as the handlers see it, counting the bytes written into
// ursula_http_response_bytes_total as they are written (an SSE response lives for minutes, so its
// bytes show while it runs). Writes go straight into the server's own pipe: nothing is copied.
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Ursula.Server.Diagnostics;

namespace Ursula.Server.Hosting.Observability;

internal sealed class CountingResponseBody : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature inner;
    private readonly CountingWriter writer;
    private Stream? stream;

    public CountingResponseBody(IHttpResponseBodyFeature inner, KeyValuePair<string, object?> route)
    {
        this.inner = inner;
        writer = new CountingWriter(inner.Writer, route);
    }

    public Stream Stream => stream ??= writer.AsStream(leaveOpen: true);

    public PipeWriter Writer => writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    private sealed class CountingWriter(PipeWriter inner, KeyValuePair<string, object?> route) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            if (bytes > 0)
            {
                UrsulaMetrics.BytesOut.Add(bytes, route);
            }
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            if (source.Length > 0)
            {
                UrsulaMetrics.BytesOut.Add(source.Length, route);
            }

            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
