// A subscription is durable state of the node: after a SIGKILL and a restart (state from
// PostgreSQL and the replayed WAL) it is still there with its links, cursor, generation and the
// failed delivery's retry schedule, the JWKS publishes the same key, and delivery goes on from
// where it was: a receiver that failed and then recovers gets the same wake and acks it.
using System.Net;
using System.Text.Json;
using Ursula.Server.State.Subscriptions;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Subscriptions;

[Trait("Category", "Integration")]
public sealed class SubscriptionRestartTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-subs-{Guid.NewGuid():N}");
    private NodeProcess? node;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync("subscriptions", Ct);
        node = NodeProcess.Start(FreePort.Next(), dataDir, database, "--allow-local-http-webhooks", "--webhook-timeout", "2");
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct);
    }

    [Fact]
    public async Task A_failing_webhook_keeps_its_wake_and_retry_schedule_across_a_kill_and_restart_and_delivers_once_it_recovers()
    {
        using var http = new HttpClient { BaseAddress = node!.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        var kids = new Dictionary<string, byte[]>();
        await using var receiver = new WebhookReceiver(kid => kids.GetValueOrDefault(kid)) { Status = 500 };
        using (var put = await http.SendAsync(SubscriptionClient.Json(HttpMethod.Put, new Uri(node.BaseUrl, "/v1/stream/__ds/subscriptions/durable"),
            JsonSerializer.Serialize(new { type = "webhook", pattern = "jobs/*", webhook = new { url = receiver.Url }, lease_ttl_ms = 5000 })), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var jwks = await http.GetStringAsync("/v1/stream/__ds/jwks.json", Ct);
        foreach (var key in JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray())
        {
            var x = key.GetProperty("x").GetString()!.Replace('-', '+').Replace('_', '/');
            kids[key.GetProperty("kid").GetString()!] = Convert.FromBase64String(x + new string('=', (4 - (x.Length % 4)) % 4));
        }

        using (var created = await http.CreateAsync("/v1/stream/jobs/one", "application/json", "[{\"n\":1},{\"n\":2}]", Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The receiver fails: the wake stays open and the subscription reports "failed".
        var first = await receiver.Received.Reader.ReadAsync(Ct);
        await WaitForAsync(http, s => s.GetProperty("status").GetString() == "failed", "status failed");
        var before = await GetAsync(http);

        node.Kill();
        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct);

        var after = await GetAsync(http);
        Assert.Equal(before.GetProperty("generation").GetInt64(), after.GetProperty("generation").GetInt64());
        Assert.Equal("failed", after.GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("streams").GetRawText(), after.GetProperty("streams").GetRawText());
        Assert.Equal(jwks, await http.GetStringAsync("/v1/stream/__ds/jwks.json", Ct));

        // The receiver recovers and finishes synchronously: the same wake (id and generation) is
        // retried after the restart, and its tails are acked.
        receiver.Answer("{\"done\":true}");
        receiver.Status = 200;
        await WaitForAsync(http, s => s.GetProperty("streams").EnumerateArray().Single().GetProperty("acked_offset").GetString() == Ursula.Server.Streams.StreamOffset.Format(2), "acked to the tail");
        var last = await DrainAsync(receiver);
        Assert.Equal(first.Body.GetProperty("wake_id").GetString(), last.Body.GetProperty("wake_id").GetString());
        Assert.Equal("active", (await GetAsync(http)).GetProperty("status").GetString());
        Assert.Equal(0, receiver.BadSignatures);
    }

    private static async Task<WebhookReceiver.Notification> DrainAsync(WebhookReceiver receiver)
    {
        WebhookReceiver.Notification? last = null;
        while (receiver.Received.Reader.TryRead(out var next))
        {
            last = next;
        }

        return last ?? await receiver.Received.Reader.ReadAsync(Ct);
    }

    private static async Task<JsonElement> GetAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/v1/stream/__ds/subscriptions/durable", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    private static async Task WaitForAsync(HttpClient http, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition(await GetAsync(http)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100, Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
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
