// A fuzzer for the HTTP surface of one node: seeded hostile requests (HttpMutator) from a few
// connections at once, some sent slowly, while a well-behaved writer appends to streams of its own
// and records its history. The node must never crash and never answer 500 (or any 5xx but 503 and 505 to a bogus HTTP version);
// afterwards, and again after a SIGKILL and restart (reads from PostgreSQL), every stream must hold
// exactly what was acknowledged (the history checker). URSULA_FUZZ_SEED replays one seed.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Ursula.Tests.Checking;
using Ursula.Tests.Cluster;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Fuzzing;

[Trait("Category", "Integration")]
public sealed class HttpFuzzTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const int RequestsPerWorker = 120;
    private const int Workers = 3;
    private static readonly string[] FuzzPaths = ["/fuzz/s0", "/fuzz/s1", "/fuzz/json", "/fuzz/none", "/fuzz/sp%20ace", "/_ursula/health", "/_URSULA/admin/members"];
    private static readonly string[] CheckedStreams = ["/checked/a", "/checked/b"];
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-fuzz-{Guid.NewGuid():N}");
    private readonly History history = new();
    private NodeProcess node = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync("fuzz", CancellationToken.None);
        node = NodeProcess.Start(FreePort.Next(), dataDir, database, "--long-poll-timeout", "1", "--max-append-bytes", "65536");
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        client = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    [Fact]
    public async Task Hostile_requests_never_crash_the_node_or_get_a_500_and_every_acknowledged_append_reads_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("URSULA_FUZZ_SEED"), CultureInfo.InvariantCulture, out var given) ? given : 20261201;
        Log($"seed {seed} (URSULA_FUZZ_SEED={seed} replays it)");
        foreach (var path in CheckedStreams.Concat(["/fuzz/s0", "/fuzz/s1"]))
        {
            await CreateAsync(path, "text/plain", ct);
        }

        await CreateAsync("/fuzz/json", "application/json", ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writer = Task.Run(() => WriteAsync(stop.Token), ct);
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => FuzzAsync(seed * 31 + w, ct)));
        await stop.CancelAsync();
        await writer;
        var all = outcomes.SelectMany(o => o).ToList();
        Log($"{all.Count} hostile requests in {clock.Elapsed.TotalSeconds:F1} s: {string.Join(", ", all.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString(CultureInfo.InvariantCulture))} x{g.Count()}"))}; {history.Count} checked operations");

        // 503 is a node's honest "not now", 505 Kestrel's answer to HTTP/9.9; any other 5xx
        // (the reserved __ds subscription APIs included) is a failure inside the node.
        var failures = all.Where(o => o.Status >= 500 && o.Status is not (503 or 505)).ToList();
        Assert.True(failures.Count == 0, $"Answered 5xx:\n{string.Join('\n', failures.Take(20).Select(f => $"{f.Status}: {f.Request.Description}"))}");
        Assert.False(node.HasExited, $"The node exited:\n{node.Output}");
        Assert.Empty(node.Output.Split('\n').Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)).Take(20));

        Log($"checked streams as served from memory: {await CheckAsync(ct)}");
        node.Kill();
        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
        Log($"after a SIGKILL and restart: {await CheckAsync(ct)}");
    }

    private async Task<List<(int Status, FuzzRequest Request)>> FuzzAsync(int seed, CancellationToken ct)
    {
        var mutator = new HttpMutator(seed, node.BaseUrl.Authority, FuzzPaths);
        var results = new List<(int, FuzzRequest)>();
        for (var i = 0; i < RequestsPerWorker; i++)
        {
            var request = mutator.Next();
            results.Add((await SendAsync(request, ct), request));
        }

        return results;
    }

    /// <summary>
    /// Sends the bytes (in pieces with pauses when slow) and reads the status line; when none comes
    /// within a second (a truncated body, say), ends the sending side and waits one more second.
    /// 0 when no answer came at all.
    /// </summary>
    private async Task<int> SendAsync(FuzzRequest request, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(node.BaseUrl.Host, node.BaseUrl.Port, ct);
        try
        {
            var pieces = request.Slow ? 6 : 1;
            var size = (request.Bytes.Length + pieces - 1) / pieces;
            for (var sent = 0; sent < request.Bytes.Length; sent += size)
            {
                await socket.SendAsync(request.Bytes.AsMemory(sent, Math.Min(size, request.Bytes.Length - sent)), SocketFlags.None, ct);
                if (request.Slow)
                {
                    await Task.Delay(300, ct);
                }
            }

            var buffer = new byte[64];
            var read = await ReceiveStatusLineAsync(socket, buffer, 0, ct);
            if (read == 0)
            {
                socket.Shutdown(SocketShutdown.Send);
                read = await ReceiveStatusLineAsync(socket, buffer, 0, ct);
            }

            return RawHttp.StatusOf(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    private static async Task<int> ReceiveStatusLineAsync(Socket socket, byte[] buffer, int read, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            while (read < 12)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, limit.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        return read;
    }

    /// <summary>Well-formed producer appends of unique records to the checked streams, each recorded with its answer.</summary>
    private async Task WriteAsync(CancellationToken stop)
    {
        for (var seq = 0; !stop.IsCancellationRequested; seq++)
        {
            var stream = CheckedStreams[seq % CheckedStreams.Length];
            await HttpOutcome.AppendAsync(client, new Uri(node.BaseUrl, stream), Encoding.ASCII.GetBytes($"c{seq}\n"), [], history, "writer", "0", CancellationToken.None);
            await Task.Delay(5, CancellationToken.None);
        }
    }

    private async Task<string> CheckAsync(CancellationToken ct)
    {
        var finals = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var stream in CheckedStreams)
        {
            finals[stream] = await AppendChecker.ReadAllAsync(client, new Uri(node.BaseUrl, stream), ct);
        }

        foreach (var path in new[] { "/fuzz/s0", "/fuzz/s1", "/fuzz/json" })
        {
            using var response = await client.GetAsync($"{path}?offset=-1", ct);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Gone, $"{path} answered {(int)response.StatusCode}");
        }

        var report = HistoryChecker.Check(history, finals);
        Assert.True(report.Passed, report.ToString());
        return report.ToString();
    }

    private async Task CreateAsync(string path, string contentType, CancellationToken ct)
    {
        using var content = new ByteArrayContent([]);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await client.PutAsync(path, content, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (node is not null)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
