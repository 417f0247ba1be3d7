// Producer idle expiry on a real node: a producer idle past --producer-idle-expiry is dropped from
// memory and from PostgreSQL, comes back as a new producer (a seq past 0 is a gap from 0), and
// stays dropped after a crash and restart; a producer active within the window keeps its state.
using System.Globalization;
using System.Net;
using Npgsql;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class ProducerExpiryTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Stream = "/producer-expiry/s";
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-producers-{Guid.NewGuid():N}");
    private string database = string.Empty;
    private NodeProcess node = null!;
    private HttpClient client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        database = await postgres.CreateDatabaseAsync(nameof(ProducerExpiryTests), CancellationToken.None);
        node = NodeProcess.Start(FreePort.Next(), dataDir, database, "--producer-idle-expiry", "3");
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        client = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    [Fact]
    public async Task An_idle_producer_is_forgotten_and_stays_forgotten_after_a_restart_while_an_active_one_is_kept()
    {
        Assert.Equal(HttpStatusCode.Created, (await client.CreateAsync(Stream, cancellationToken: Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AppendAsync("idle", 0)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AppendAsync("busy", 0)).StatusCode);

        // Before the idle time the state is there: seq 0 again is a duplicate.
        Assert.Equal(HttpStatusCode.NoContent, (await AppendAsync("idle", 0)).StatusCode);
        await WaitUntilAsync(async () => (await StoredProducersAsync()).SetEquals(["idle", "busy"]), "both producers are in PostgreSQL");

        // "busy" appends every 500 ms, well within the 3 s idle time, until "idle" is gone from PostgreSQL.
        var busySeq = 0L;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await StoredProducersAsync()).Contains("idle"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the idle producer was never dropped from PostgreSQL");
            await Task.Delay(500, Ct);
            Assert.Equal(HttpStatusCode.OK, (await AppendAsync("busy", ++busySeq)).StatusCode);
        }

        Assert.Contains("busy", await StoredProducersAsync());

        // The active producer kept its state: its last seq is a duplicate, the next one is accepted.
        using (var duplicate = await AppendAsync("busy", busySeq))
        {
            Assert.Equal(HttpStatusCode.NoContent, duplicate.StatusCode);
            Assert.Equal(busySeq.ToString(CultureInfo.InvariantCulture), duplicate.Header("Producer-Seq"));
        }

        Assert.Equal(HttpStatusCode.OK, (await AppendAsync("busy", ++busySeq)).StatusCode);

        // A kill, so the restart also replays the log past PostgreSQL's applied index (the expiry entry included).
        node.Kill();
        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.DoesNotContain("idle", await StoredProducersAsync());

        // The returning producer is new: seq 1 is a gap from 0 (the protocol's "treated as new").
        using (var gap = await AppendAsync("idle", 1))
        {
            Assert.Equal(HttpStatusCode.Conflict, gap.StatusCode);
            Assert.Equal("0", gap.Header("Producer-Expected-Seq"));
            Assert.Equal("1", gap.Header("Producer-Received-Seq"));
        }

        // And seq 0, a duplicate before the expiry, is a new append now.
        Assert.Equal(HttpStatusCode.OK, (await AppendAsync("idle", 0)).StatusCode);
        using var read = await client.GetAsync($"{Stream}?offset=-1", Ct);
        var body = await read.Content.ReadAsStringAsync(Ct);
        Assert.Equal(2, body.Split("idle:0\n").Length - 1);
    }

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

    private Task<HttpResponseMessage> AppendAsync(string producer, long seq) =>
        client.AppendAsync(Stream, $"{producer}:{seq}\n", cancellationToken: Ct,
            headers: [("Producer-Id", producer), ("Producer-Epoch", "0"), ("Producer-Seq", seq.ToString(CultureInfo.InvariantCulture))]);

    private async Task<HashSet<string>> StoredProducersAsync()
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var query = new NpgsqlCommand("select producer_id from stream_producers", connection);
        await using var reader = await query.ExecuteReaderAsync(Ct);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(Ct))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(100, Ct);
        }
    }
}
