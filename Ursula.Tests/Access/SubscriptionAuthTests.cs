// Subscriptions on a node with authentication on, end to end: a tenant's admin creates a webhook
// subscription and a writer's append wakes it; the receiver acks through the callback URL with the
// callback token alone (no client token), while a client token, even admin on everything, is no
// callback token; a pull-wake worker claims with a writer's key and acks with the claim's token.
// The access layer and the subscription API meet here: a regression in either refuses the flow.
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ursula.Tests.Infrastructure;
using Ursula.Tests.Subscriptions;

namespace Ursula.Tests.Access;

public sealed class WebhookAuthNodeFixture(PostgresFixture postgres) : AuthNodeFixture(postgres)
{
    protected override string[] MoreArguments => ["--allow-local-http-webhooks"];
}

[Trait("Category", "Integration")]
public sealed class SubscriptionAuthTests(WebhookAuthNodeFixture fixture) : IClassFixture<WebhookAuthNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_webhook_on_an_authenticated_node_is_acked_with_its_callback_token_and_not_with_a_client_token()
    {
        using var admin = fixture.ClientWith(TestTokens.AdminA);
        using var writer = fixture.ClientWith(TestTokens.WriterA);
        using var everything = fixture.ClientWith(TestTokens.AdminAll);
        using var anonymous = fixture.ClientWith(null);
        var keys = new ConcurrentDictionary<string, byte[]>();
        await using var receiver = new WebhookReceiver(kid => keys.TryGetValue(kid, out var key) ? key : null);
        var id = $"auth-hook-{Guid.NewGuid():N}";
        var config = JsonSerializer.Serialize(new { type = "webhook", pattern = "events/*", webhook = new { url = receiver.Url }, lease_ttl_ms = 5000 });

        using (var refused = await writer.SendAsync(Json(HttpMethod.Put, $"/tenant-a/__ds/subscriptions/{id}", config), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var created = await admin.SendAsync(Json(HttpMethod.Put, $"/tenant-a/__ds/subscriptions/{id}", config), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The JWKS is public: a receiver verifies signatures without a token of the node.
        using (var jwks = JsonDocument.Parse(await anonymous.GetStringAsync("/tenant-a/__ds/jwks.json", Ct)))
        {
            foreach (var key in jwks.RootElement.GetProperty("keys").EnumerateArray())
            {
                keys[key.GetProperty("kid").GetString()!] = System.Buffers.Text.Base64Url.DecodeFromChars(key.GetProperty("x").GetString()!);
            }
        }

        var path = "/tenant-a/events/orders";
        using (var put = await writer.SendAsync(Json(HttpMethod.Put, path, """{"n":1}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var notification = await NextNotificationAsync(receiver);
        var body = notification.Body;
        Assert.Equal(0, receiver.BadSignatures);
        var tail = body.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("path").GetString() == "events/orders").GetProperty("tail_offset").GetString()!;
        var callback = new Uri(body.GetProperty("callback_url").GetString()!);
        var ack = JsonSerializer.Serialize(new
        {
            wake_id = body.GetProperty("wake_id").GetString(),
            generation = body.GetProperty("generation").GetInt64(),
            acks = new[] { new { stream = "events/orders", offset = tail } },
            done = true,
        });

        // A client token, even one that may do everything, is not the subscription's callback token.
        foreach (var token in new[] { TestTokens.AdminAll, TestTokens.WriterA })
        {
            using var wrong = await anonymous.SendAsync(Json(HttpMethod.Post, callback.PathAndQuery, ack, token), Ct);
            Assert.True(wrong.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.Conflict, $"callback with a client token got {(int)wrong.StatusCode}");
        }

        using (var acked = await anonymous.SendAsync(Json(HttpMethod.Post, callback.PathAndQuery, ack, body.GetProperty("callback_token").GetString()), Ct))
        {
            var text = await acked.Content.ReadAsStringAsync(Ct);
            Assert.True(acked.StatusCode == HttpStatusCode.OK, $"callback with its token got {(int)acked.StatusCode}: {text}");
        }

        // The subscription's state: a reader of the tenant sees it acked, another tenant's admin does not see it at all.
        using var reader = fixture.ClientWith(TestTokens.ReaderA);
        using (var state = JsonDocument.Parse(await reader.GetStringAsync($"/tenant-a/__ds/subscriptions/{id}", Ct)))
        {
            Assert.Contains(state.RootElement.GetProperty("streams").EnumerateArray(), s => s.GetProperty("path").GetString() == "events/orders" && s.GetProperty("acked_offset").GetString() == tail);
        }

        using (var outsider = await fixture.ClientWith(TestTokens.Jwt(["admin:/tenant-b/**"])).GetAsync($"/tenant-a/__ds/subscriptions/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outsider.StatusCode);
        }

        using var deleted = await everything.DeleteAsync($"/tenant-a/__ds/subscriptions/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task A_pull_wake_worker_claims_with_a_writer_key_and_acks_with_the_claim_token()
    {
        using var admin = fixture.ClientWith(TestTokens.AdminA);
        using var writer = fixture.ClientWith(TestTokens.WriterA);
        using var reader = fixture.ClientWith(TestTokens.ReaderA);
        using var anonymous = fixture.ClientWith(null);
        var id = $"auth-pull-{Guid.NewGuid():N}";
        var wake = $"/tenant-a/wake/{id}";
        using (var created = await writer.SendAsync(Json(HttpMethod.Put, wake, "[]"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var config = JsonSerializer.Serialize(new { type = "pull-wake", pattern = "jobs/*", wake_stream = $"wake/{id}", lease_ttl_ms = 5000 });
        using (var created = await admin.SendAsync(Json(HttpMethod.Put, $"/tenant-a/__ds/subscriptions/{id}", config), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var put = await writer.SendAsync(Json(HttpMethod.Put, "/tenant-a/jobs/one", """{"job":1}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        // The wake event reaches the wake stream, which a reader of the tenant may read.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(await reader.GetStringAsync(wake, Ct)).Contains(id, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "no wake event in the wake stream");
            await Task.Delay(100, Ct);
        }

        using (var refused = await reader.SendAsync(Json(HttpMethod.Post, $"/tenant-a/__ds/subscriptions/{id}/claim", """{"worker":"r"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var claim = await writer.SendAsync(Json(HttpMethod.Post, $"/tenant-a/__ds/subscriptions/{id}/claim", """{"worker":"w1"}"""), Ct);
        var claimText = await claim.Content.ReadAsStringAsync(Ct);
        Assert.True(claim.StatusCode == HttpStatusCode.OK, $"claim got {(int)claim.StatusCode}: {claimText}");
        using var claimed = JsonDocument.Parse(claimText);
        var tail = claimed.RootElement.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("path").GetString() == "jobs/one").GetProperty("tail_offset").GetString();
        var ack = JsonSerializer.Serialize(new
        {
            wake_id = claimed.RootElement.GetProperty("wake_id").GetString(),
            generation = claimed.RootElement.GetProperty("generation").GetInt64(),
            acks = new[] { new { stream = "jobs/one", offset = tail } },
            done = true,
        });

        using (var withClientToken = await anonymous.SendAsync(Json(HttpMethod.Post, $"/tenant-a/__ds/subscriptions/{id}/ack", ack, TestTokens.AdminAll), Ct))
        {
            Assert.True(withClientToken.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.Conflict, $"ack with a client token got {(int)withClientToken.StatusCode}");
        }

        using var acked = await anonymous.SendAsync(Json(HttpMethod.Post, $"/tenant-a/__ds/subscriptions/{id}/ack", ack, claimed.RootElement.GetProperty("token").GetString()), Ct);
        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
    }

    private static async Task<WebhookReceiver.Notification> NextNotificationAsync(WebhookReceiver receiver)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        return await receiver.Received.Reader.ReadAsync(timeout.Token);
    }

    // The subscription tests' request builder, on this fixture's node.
    private HttpRequestMessage Json(HttpMethod method, string path, string json, string? bearer = null) =>
        SubscriptionClient.Json(method, new Uri(fixture.Node.BaseUrl, path), json, bearer);
}
