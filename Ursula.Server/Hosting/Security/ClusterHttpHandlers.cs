// HTTP handlers for node-to-node traffic. DotNext asks the DI container's
// IHttpMessageHandlerFactory for its Raft client handler. This one adds the cluster secret and
// times Raft messages by kind. A frozen peer (SIGSTOP, a stalled VM) accepts connections and never
// answers, and DotNext waits for a slow peer's answer whenever the others' answers do not decide a
// round (an election, or a new leader's first heartbeat that a follower rejects to rewind its log),
// so every message must fail soon after its peer stops making progress:
//  - votes fail after RaftVoteTimeout, well within an election timeout;
//  - appends and heartbeats fail once the peer has neither read request bytes nor answered for
//    RaftMessageTimeout, plus the time a slow disk takes to flush what it read (a follower answers
//    only once its WAL is flushed), so a large append to a live peer may take as long as it needs;
//    and then only if the peer does not answer a liveness probe either: a follower that is busy
//    (flushing, applying, short of CPU) is waited for up to RaftBusyPeerLimit, since a leader whose
//    messages to a majority all fail in one round steps down;
//  - a snapshot transfer (a follower's whole state, installed before the answer) gets SnapshotTransferTimeout.
// With --source-address, connections to other members are made from that local address; with
// --tls-ca, members' certificates are checked against those authorities too (ClusterTrust).
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Ursula.Server.Hosting.Security;

public sealed class ClusterHttpHandlers(ClusterSecret secret, IOptions<NodeOptions> node, ClusterTrust? trust = null) : IHttpMessageHandlerFactory
{
    private const string RaftMessageTypeHeader = "X-Raft-Message-Type";
    private const string LivePath = Streams.StreamPath.ReservedPrefix + "/health/live";

    public HttpMessageHandler CreateHandler(string name)
    {
        var sockets = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        (trust ?? ClusterTrust.System).Apply(sockets);
        if (node.Value.ParseSourceAddress() is { } source)
        {
            sockets.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(source, context.DnsEndPoint, cancellationToken);
        }

        return new ClusterHandler(secret, node.Value) { InnerHandler = sockets };
    }

    /// <summary>Connects to <paramref name="target"/> from a socket bound to <paramref name="source"/> (any port).</summary>
    private static async ValueTask<Stream> ConnectFromAsync(IPAddress source, DnsEndPoint target, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(target.Host, cancellationToken);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == source.AddressFamily)
            ?? throw new HttpRequestException($"{target.Host} has no address of the family of --source-address {source}");
        var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(new IPEndPoint(address, target.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class ClusterHandler(ClusterSecret secret, NodeOptions node) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            secret.Apply(request);
            if (!request.Headers.TryGetValues(RaftMessageTypeHeader, out var types))
            {
                return await base.SendAsync(request, cancellationToken);
            }

            var type = types.FirstOrDefault() ?? string.Empty;
            var (timeout, onProgress) = type switch
            {
                "RequestVote" or "PreVote" => (node.RaftVoteTimeout, false),
                "InstallSnapshot" => (node.SnapshotTransferTimeout, false),
                _ => (node.RaftMessageTimeout, true),
            };

            var progress = new Progress();
            if (onProgress && request.Content is { } content)
            {
                request.Content = new ProgressContent(content, progress);
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var sending = base.SendAsync(request, limit.Token);
            try
            {
                while (true)
                {
                    // Only appends report progress; for the other kinds this is the time since the start.
                    var left = timeout + progress.FlushAllowance - progress.SinceLast;
                    if (left <= TimeSpan.Zero)
                    {
                        // A peer that answers a liveness probe is working, not frozen or cut off:
                        // its answer counts as progress, up to RaftBusyPeerLimit in all.
                        if (!onProgress || Stopwatch.GetElapsedTime(started) >= node.RaftBusyPeerLimit
                            || !await IsAliveAsync(request.RequestUri, cancellationToken))
                        {
                            await limit.CancelAsync();
                            return await sending;
                        }

                        progress.Report();
                        continue;
                    }

                    try
                    {
                        return await sending.WaitAsync(left, cancellationToken);
                    }
                    catch (TimeoutException)
                    {
                        // Check again: the peer may have read more of the request meanwhile.
                    }
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // DotNext reads a failed request without a response as "member unavailable".
                throw new HttpRequestException(
                    $"Raft {type} to {request.RequestUri?.Authority} got no answer in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms{(onProgress ? $" (it read nothing more for {timeout.TotalMilliseconds} ms and answered no liveness probe, or stayed busy past RaftBusyPeerLimit)" : string.Empty)}",
                    e,
                    HttpStatusCode.RequestTimeout);
            }
        }

        /// <summary>
        /// Whether the member at <paramref name="raft"/> answers GET /_ursula/health/live (any status)
        /// within RaftMessageTimeout. A frozen process (SIGSTOP) accepts the connection and never
        /// answers; a cut link does not connect.
        /// </summary>
        private async Task<bool> IsAliveAsync(Uri? raft, CancellationToken cancellationToken)
        {
            if (raft is null)
            {
                return false;
            }

            using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(raft, LivePath));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(node.RaftMessageTimeout);
            try
            {
                using var answer = await base.SendAsync(probe, limit.Token);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return false;
            }
        }
    }

    /// <summary>
    /// When the peer last took some of the request's bytes (at first: when the request started),
    /// and how many it took: a follower flushes the entries it received to disk before it answers
    /// (FollowerFlushingLog), so after the last byte it is given time for that flush on top of
    /// the message timeout, at <see cref="FlushBytesPerSecond"/>.
    /// </summary>
    private sealed class Progress
    {
        /// <summary>A slow disk's rate, shared with other work: 10 MB/s.</summary>
        private const double FlushBytesPerSecond = 10_000_000;

        private long last = Stopwatch.GetTimestamp();
        private long bytes;

        public TimeSpan SinceLast => Stopwatch.GetElapsedTime(Volatile.Read(ref last));

        public TimeSpan FlushAllowance => TimeSpan.FromSeconds(Interlocked.Read(ref bytes) / FlushBytesPerSecond);

        public void Report(int written = 0)
        {
            Interlocked.Add(ref bytes, written);
            Volatile.Write(ref last, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>The request body as DotNext wrote it, reporting every chunk the connection accepts.</summary>
    private sealed class ProgressContent : HttpContent
    {
        private readonly HttpContent inner;
        private readonly Progress progress;

        public ProgressContent(HttpContent inner, Progress progress)
        {
            this.inner = inner;
            this.progress = progress;
            foreach (var header in inner.Headers.NonValidated)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            inner.CopyToAsync(new ProgressStream(stream, progress), context);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            inner.CopyToAsync(new ProgressStream(stream, progress), context, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            if (inner.Headers.ContentLength is { } known)
            {
                length = known;
                return true;
            }

            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class ProgressStream(Stream inner, Progress progress) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            progress.Report(count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            progress.Report(buffer.Length);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            progress.Report(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
            inner.Flush();
            progress.Report();
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await inner.FlushAsync(cancellationToken);
            progress.Report();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
