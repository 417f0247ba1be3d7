using System.Collections.Concurrent;
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class CrashRecoveryTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-crash-{Guid.NewGuid():N}");
    private NodeProcess node = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(CrashRecoveryTests), CancellationToken.None);
        node = NodeProcess.Start(FreePort.Next(), dataDir, database);
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        client = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    [Fact]
    public async Task Killing_the_node_during_a_burst_of_appends_loses_no_acknowledged_append()
    {
        var ct = TestContext.Current.CancellationToken;
        const int Streams = 4, Writers = 16;
        for (var s = 0; s < Streams; s++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.CreateAsync($"/crash/s{s}", cancellationToken: ct)).StatusCode);
        }

        var acked = new ConcurrentDictionary<string, long>();
        var attempted = new ConcurrentDictionary<string, long>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var producer = $"writer-{w}";
            var seq = 0L;
            while (!stop.IsCancellationRequested)
            {
                attempted[producer] = seq;
                try
                {
                    using var response = await client.AppendAsync($"/crash/s{w % Streams}", $"{producer}:{seq}\n", cancellationToken: stop.Token,
                        headers: [("Producer-Id", producer), ("Producer-Epoch", "0"), ("Producer-Seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
                    if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent)
                    {
                        acked[producer] = seq;
                        seq++;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    await Task.Delay(20, CancellationToken.None);
                }
            }
        }, CancellationToken.None)).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        node.Kill();
        await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        var ackedBeforeCrash = acked.Values.Sum(v => v + 1);
        Assert.True(ackedBeforeCrash > 200, $"only {ackedBeforeCrash} appends were acknowledged before the kill; the test needs a real burst");

        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);

        // Every writer retries the append it had in flight at the crash: a duplicate or a new append, never a gap.
        foreach (var (producer, seq) in attempted)
        {
            var w = int.Parse(producer["writer-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            using var retry = await client.AppendAsync($"/crash/s{w % Streams}", $"{producer}:{seq}\n", cancellationToken: ct,
                headers: [("Producer-Id", producer), ("Producer-Epoch", "0"), ("Producer-Seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            Assert.Contains(retry.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.NoContent });
        }

        var seen = new Dictionary<string, List<long>>();
        for (var s = 0; s < Streams; s++)
        {
            var text = await client.ReadAllAsync($"/crash/s{s}", ct);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(':');
                (seen.TryGetValue(parts[0], out var list) ? list : seen[parts[0]] = []).Add(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        foreach (var (producer, seq) in attempted)
        {
            var list = seen[producer];
            Assert.Equal(Enumerable.Range(0, list.Count).Select(i => (long)i), list);
            Assert.True(list.Count - 1 >= seq, $"{producer}: acknowledged or retried up to {seq}, stream holds {list.Count}");
        }
    }

    [Fact]
    public async Task Closure_producer_state_and_forks_survive_a_kill_right_after_they_are_acknowledged()
    {
        var ct = TestContext.Current.CancellationToken;
        await client.CreateAsync("/survive/closed", body: "done", cancellationToken: ct);
        using (var close = await client.AppendAsync("/survive/closed", string.Empty, contentType: "", cancellationToken: ct, headers: [("Stream-Closed", "true")]))
        {
            Assert.Equal(HttpStatusCode.NoContent, close.StatusCode);
        }

        await client.CreateAsync("/survive/producer", cancellationToken: ct);
        foreach (var seq in new[] { "0", "1" })
        {
            using var r = await client.AppendAsync("/survive/producer", $"p{seq}", cancellationToken: ct, headers: [("Producer-Id", "p"), ("Producer-Epoch", "3"), ("Producer-Seq", seq)]);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using var source = await client.CreateAsync("/survive/source", body: "inherited", cancellationToken: ct);
        var forkOffset = source.Header("Stream-Next-Offset")!;
        await client.AppendAsync("/survive/source", "-not-in-fork", cancellationToken: ct);
        using (var fork = await client.CreateAsync("/survive/fork", cancellationToken: ct, headers: [("Stream-Forked-From", "/survive/source"), ("Stream-Fork-Offset", forkOffset)]))
        {
            Assert.Equal(HttpStatusCode.Created, fork.StatusCode);
        }

        await client.AppendAsync("/survive/fork", "+own", cancellationToken: ct);

        node.Kill();
        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);

        using (var append = await client.AppendAsync("/survive/closed", "more", cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, append.StatusCode);
            Assert.Equal("true", append.Header("Stream-Closed"));
        }

        using (var duplicate = await client.AppendAsync("/survive/producer", "p1", cancellationToken: ct, headers: [("Producer-Id", "p"), ("Producer-Epoch", "3"), ("Producer-Seq", "1")]))
        {
            Assert.Equal(HttpStatusCode.NoContent, duplicate.StatusCode);
        }

        using (var gap = await client.AppendAsync("/survive/producer", "p3", cancellationToken: ct, headers: [("Producer-Id", "p"), ("Producer-Epoch", "3"), ("Producer-Seq", "3")]))
        {
            Assert.Equal(HttpStatusCode.Conflict, gap.StatusCode);
            Assert.Equal("2", gap.Header("Producer-Expected-Seq"));
        }

        using (var stale = await client.AppendAsync("/survive/producer", "old", cancellationToken: ct, headers: [("Producer-Id", "p"), ("Producer-Epoch", "2"), ("Producer-Seq", "0")]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, stale.StatusCode);
        }

        Assert.Equal("p0p1", await client.ReadAllAsync("/survive/producer", ct));
        Assert.Equal("inherited+own", await client.ReadAllAsync("/survive/fork", ct));
        Assert.Equal("inherited-not-in-fork", await client.ReadAllAsync("/survive/source", ct));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await node.DisposeAsync();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
