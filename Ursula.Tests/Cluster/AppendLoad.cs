// Steady append load on a cluster: W writers over S streams, each writer an idempotent producer
// (Producer-Id w{i}, epoch 0) appending its own sequence numbers ("w3:17:xxxx\n"). Requests go round
// robin over every node, skipping for a moment a node that just failed; a 503, a timeout or a transport
// error is retried with the SAME Producer-Seq on another node, so each sequence number is appended
// exactly once however often it is sent. Every acknowledged (200 or 204) sequence number is recorded,
// and every logical append, read, HEAD and the final close go into a History for the checker; a
// reader and a HEAD prober run beside the writers.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ursula.Tests.Checking;

namespace Ursula.Tests.Cluster;

public sealed partial class AppendLoad : IAsyncDisposable
{
    // A node that refused or answered 503 may be fine a moment later; one that let a request time out
    // is probably hung (frozen, or waiting on a leader that is), so it is left alone for longer.
    private static readonly TimeSpan AvoidFailedNodeFor = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AvoidHungNodeFor = TimeSpan.FromSeconds(4);
    private readonly IReadOnlyList<Uri> nodes;
    private readonly HttpClient[] clients;
    private readonly long[] avoidUntil;
    private readonly long[] acknowledgedVia;
    private readonly long[] highestAcknowledged;
    private readonly List<Acknowledgement> acknowledgements = [];
    private readonly List<string> anomalies = [];
    private readonly CancellationTokenSource abort = new();
    private Task[] running = [];
    private Task observer = Task.CompletedTask;
    private volatile bool stopping;
    private int payloadBytes;
    private long totalAcknowledged;
    private long acknowledgedBytes;
    private long failedAttempts;

    public AppendLoad(IReadOnlyList<Uri> nodes, int writers = 8, int streams = 4, int payloadBytes = 0, string prefix = "/load")
    {
        this.nodes = nodes;
        Writers = writers;
        this.payloadBytes = payloadBytes;
        StreamPaths = Enumerable.Range(0, streams).Select(s => $"{prefix}/s{s}").ToArray();
        clients = nodes.Select(_ => new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        }).ToArray();
        avoidUntil = new long[nodes.Count];
        acknowledgedVia = new long[nodes.Count];
        highestAcknowledged = Enumerable.Repeat(-1L, writers).ToArray();
    }

    public int Writers { get; }

    /// <summary>Every client operation of this load, for <see cref="HistoryChecker"/>.</summary>
    public History History { get; } = new();

    public IReadOnlyList<string> StreamPaths { get; }

    /// <summary>How long one attempt may take before the writer gives up on that node and resends elsewhere.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Padding bytes after "w3:17:" in each append; may change while the load runs.</summary>
    public int PayloadBytes
    {
        get => Volatile.Read(ref payloadBytes);
        set => Volatile.Write(ref payloadBytes, value);
    }

    public long TotalAcknowledged => Interlocked.Read(ref totalAcknowledged);

    /// <summary>Body bytes of every acknowledged append.</summary>
    public long AcknowledgedBytes => Interlocked.Read(ref acknowledgedBytes);

    public long FailedAttempts => Interlocked.Read(ref failedAttempts);

    /// <summary>Set once <see cref="StopAsync"/> has seen every writer's last sequence number acknowledged.</summary>
    public bool Drained { get; private set; }

    /// <summary>Responses no correct cluster gives to this load (a 409 for a gap, any 4xx or 5xx but 503).</summary>
    public IReadOnlyList<string> Anomalies
    {
        get
        {
            lock (anomalies)
            {
                return anomalies.ToArray();
            }
        }
    }

    public static string ProducerId(int writer) => $"w{writer}";

    public string StreamOf(int writer) => StreamPaths[writer % StreamPaths.Count];

    /// <summary>The highest acknowledged Producer-Seq of a writer, -1 when none was.</summary>
    public long HighestAcknowledged(int writer) => Interlocked.Read(ref highestAcknowledged[writer]);

    public long AcknowledgedVia(int node) => Interlocked.Read(ref acknowledgedVia[node]);

    /// <summary>Creates the streams (text/plain) through whichever node accepts the write.</summary>
    public async Task CreateStreamsAsync(CancellationToken cancellationToken)
    {
        foreach (var path in StreamPaths)
        {
            var deadline = Stopwatch.StartNew();
            for (var attempt = 0; ; attempt++)
            {
                var client = clients[attempt % clients.Length];
                try
                {
                    using var content = new ByteArrayContent([]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(RequestTimeout);
                    using var response = await client.PutAsync(new Uri(nodes[attempt % nodes.Count], path), content, timeout.Token);
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        break;
                    }

                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        throw new InvalidOperationException($"Creating {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
                {
                }

                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"Could not create {path} within 30 s.");
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public void Start()
    {
        if (running.Length > 0)
        {
            throw new InvalidOperationException("The load is already running.");
        }

        running = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w), CancellationToken.None)).ToArray();
        observer = Task.Run(ObserveAsync, CancellationToken.None);
    }

    /// <summary>Waits until at least <paramref name="count"/> appends in total have been acknowledged.</summary>
    public async Task WaitForAcknowledgedAsync(long count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (TotalAcknowledged < count)
        {
            ThrowIfWritersFailed();
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Only {TotalAcknowledged} of {count} appends were acknowledged within {timeout} ({FailedAttempts} failed attempts).");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Waits for the first acknowledgement of a request sent after <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public async Task<Acknowledgement> WaitForAcknowledgementSentAfterAsync(long timestamp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (acknowledgements)
            {
                // The list is in acknowledgement order (up to the race between two writers' clocks).
                Acknowledgement? first = null;
                for (var i = acknowledgements.Count - 1; i >= 0 && acknowledgements[i].Acknowledged > timestamp; i--)
                {
                    if (acknowledgements[i].Sent > timestamp && (first is null || acknowledgements[i].Acknowledged < first.Acknowledged))
                    {
                        first = acknowledgements[i];
                    }
                }

                if (first is not null)
                {
                    return first;
                }
            }

            ThrowIfWritersFailed();
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"No append sent after the fault was acknowledged within {timeout} ({FailedAttempts} failed attempts).");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// Stops issuing new sequence numbers and waits until every writer's last one is acknowledged
    /// (resending it as needed), so that each stream ends exactly at the writers' acknowledged sequences.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        stopping = true;
        var all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(drainTimeout, CancellationToken.None)) != all)
        {
            await abort.CancelAsync();
            await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            throw new TimeoutException($"The writers' last appends were not acknowledged within {drainTimeout} of stopping the load.");
        }

        await all;
        Drained = true;
        await observer;
        await CloseStreamsAsync(drainTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        stopping = true;
        await abort.CancelAsync();
        await Task.WhenAll(running.Append(observer).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        abort.Dispose();
    }

    public string Describe() =>
        $"{TotalAcknowledged} appends acknowledged ({string.Join(", ", Enumerable.Range(0, nodes.Count).Select(n => $"node {n}: {AcknowledgedVia(n)}"))}), {FailedAttempts} failed attempts";

    private async Task WriteAsync(int writer)
    {
        var cursor = writer % nodes.Count;
        for (long seq = 0; !stopping; seq++)
        {
            if (!await AppendUntilAcknowledgedAsync(writer, seq, cursor))
            {
                return;
            }

            cursor++;
        }
    }

    /// <summary>Sends one sequence number until a node acknowledges it; false when the writer cannot go on.</summary>
    private async Task<bool> AppendUntilAcknowledgedAsync(int writer, long seq, int cursor)
    {
        var producer = ProducerId(writer);
        var seqText = seq.ToString(CultureInfo.InvariantCulture);
        var body = Body(writer, seq);
        var invoked = History.Now;
        for (var attempt = 0; ; attempt++)
        {
            if (abort.IsCancellationRequested)
            {
                RecordAppend(writer, body, invoked, attempt, OperationResult.Unknown, -1, null);
                return false;
            }

            var node = PickNode(cursor + attempt);
            var sent = Stopwatch.GetTimestamp();
            var avoid = AvoidFailedNodeFor;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(nodes[node], StreamOf(writer))) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                request.Headers.Add("Producer-Id", producer);
                request.Headers.Add("Producer-Epoch", "0");
                request.Headers.Add("Producer-Seq", seqText);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
                timeout.CancelAfter(RequestTimeout);
                using var response = await clients[node].SendAsync(request, timeout.Token);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK or HttpStatusCode.NoContent:
                        Record(writer, seq, node, sent, body.Length);
                        RecordAppend(writer, body, invoked, attempt + 1, OperationResult.Ok, node,
                            response.StatusCode == HttpStatusCode.OK ? NextOffset(response) : null);
                        return true;
                    case HttpStatusCode.ServiceUnavailable:
                        break;
                    case HttpStatusCode.Conflict when response.Headers.TryGetValues("Producer-Expected-Seq", out var expected):
                        // The cluster lost an acknowledged sequence number (or never had it): nothing to retry.
                        Anomaly($"{producer} seq {seq} via node {node}: 409, Producer-Expected-Seq {string.Join(',', expected)}");
                        RecordAppend(writer, body, invoked, attempt + 1, OperationResult.Failed, node, null);
                        return false;
                    default:
                        Anomaly($"{producer} seq {seq} via node {node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                        break;
                }
            }
            catch (OperationCanceledException) when (!abort.IsCancellationRequested)
            {
                avoid = AvoidHungNodeFor;
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !abort.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                RecordAppend(writer, body, invoked, attempt + 1, OperationResult.Unknown, node, null);
                return false;
            }

            Interlocked.Increment(ref failedAttempts);
            Volatile.Write(ref avoidUntil[node], Stopwatch.GetTimestamp() + (long)(avoid.TotalSeconds * Stopwatch.Frequency));
            try
            {
                await Task.Delay(50, abort.Token);
            }
            catch (OperationCanceledException)
            {
                RecordAppend(writer, body, invoked, attempt + 1, OperationResult.Unknown, node, null);
                return false;
            }
        }
    }

    /// <summary>The next node from <paramref name="cursor"/> that has not failed lately; when all have, the one that failed longest ago.</summary>
    private int PickNode(int cursor)
    {
        var now = Stopwatch.GetTimestamp();
        var best = cursor % nodes.Count;
        for (var k = 0; k < nodes.Count; k++)
        {
            var node = (cursor + k) % nodes.Count;
            if (Volatile.Read(ref avoidUntil[node]) <= now)
            {
                return node;
            }

            if (Volatile.Read(ref avoidUntil[node]) < Volatile.Read(ref avoidUntil[best]))
            {
                best = node;
            }
        }

        return best;
    }

    private byte[] Body(int writer, long seq)
    {
        var head = $"{ProducerId(writer)}:{seq}:";
        var padding = PayloadBytes;
        var body = new byte[Encoding.ASCII.GetByteCount(head) + padding + 1];
        var written = Encoding.ASCII.GetBytes(head, body);
        body.AsSpan(written, padding).Fill((byte)'x');
        body[^1] = (byte)'\n';
        return body;
    }

    private void Record(int writer, long seq, int node, long sent, int bytes)
    {
        var acknowledged = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref highestAcknowledged[writer], seq);
        Interlocked.Increment(ref acknowledgedVia[node]);
        Interlocked.Increment(ref totalAcknowledged);
        Interlocked.Add(ref acknowledgedBytes, bytes);
        lock (acknowledgements)
        {
            acknowledgements.Add(new Acknowledgement(writer, seq, node, sent, acknowledged));
        }
    }

    private void Anomaly(string text)
    {
        lock (anomalies)
        {
            anomalies.Add(text);
        }
    }

    private void ThrowIfWritersFailed()
    {
        if (running.FirstOrDefault(t => t.IsFaulted) is { } failed)
        {
            throw new InvalidOperationException("A writer failed.", failed.Exception);
        }
    }

    /// <summary>One acknowledged append; Sent and Acknowledged are <see cref="Stopwatch"/> timestamps.</summary>
    public sealed record Acknowledgement(int Writer, long Seq, int Node, long Sent, long Acknowledged);
}
