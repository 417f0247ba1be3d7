// The subscription APIs from the attacker's side, against a real node: malformed and hostile
// bodies, unsafe webhook URLs in other spellings, forged tokens, wrong methods and ids all get
// a clear 4xx with an error code, never a 5xx, and nothing is created by them.
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Subscriptions;

[Trait("Category", "Integration")]
public sealed class SubscriptionRequestTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Hook = "http://127.0.0.1:9/h";
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-subreq-{Guid.NewGuid():N}");
    private NodeProcess? node;
    private HttpClient? http;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync("subrequests", Ct);
        node = NodeProcess.Start(FreePort.Next(), dataDir, database, "--allow-local-http-webhooks");
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct);
        http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    private static readonly (string Method, string Path, string? Body, int Status, string Code)[] Refused =
    [
        ("PUT", "/__ds/subscriptions/s", "not json", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", "[]", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"https://10.0.0.1/h"}}""", 400, "WEBHOOK_URL_REJECTED"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"http://0x7f000001:9/h"}}""", 400, "WEBHOOK_URL_REJECTED"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"http://2130706433:9/h"}}""", 400, "WEBHOOK_URL_REJECTED"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"http://[::ffff:127.0.0.1]:9/h"}}""", 400, "WEBHOOK_URL_REJECTED"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"http://169.254.169.254/latest"}}""", 400, "WEBHOOK_URL_REJECTED"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"https://user:pw@127.0.0.1/h"}}""", 400, "WEBHOOK_URL_REJECTED"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"http://127.0.0.1:9/h"},"lease_ttl_ms":"x"}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"e/*","webhook":{"url":"http://127.0.0.1:9/h"},"lease_ttl_ms":10}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","webhook":{"url":"http://127.0.0.1:9/h"}}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","streams":["../x"],"webhook":{"url":"http://127.0.0.1:9/h"}}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","streams":["_ursula/admin"],"webhook":{"url":"http://127.0.0.1:9/h"}}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","streams":[7],"webhook":{"url":"http://127.0.0.1:9/h"}}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"webhook","pattern":"__ds/*","webhook":{"url":"http://127.0.0.1:9/h"}}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"pull-wake","pattern":"e/*"}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/s", """{"type":"fax","pattern":"e/*"}""", 400, "INVALID_REQUEST"),
        ("PUT", "/__ds/subscriptions/a%20b", """{"type":"webhook","pattern":"e/*","webhook":{"url":"http://127.0.0.1:9/h"}}""", 400, "INVALID_REQUEST"),
        ("GET", "/__ds/subscriptions/missing", null, 404, "NOT_FOUND"),
        ("GET", "/__ds/other", null, 404, "NOT_FOUND"),
        ("GET", "/a%2F__ds/subscriptions/s", null, 404, "NOT_FOUND"),
        ("PATCH", "/__ds/subscriptions/s", null, 405, "METHOD_NOT_ALLOWED"),
        ("POST", "/__ds/subscriptions/s/callback", """{"wake_id":"w","generation":1}""", 401, "UNAUTHORIZED"),
        ("POST", "/__ds/subscriptions/s/claim", """{"worker":"w"}""", 404, "NOT_FOUND"),
    ];

    [Fact]
    public async Task Bad_subscription_requests_get_a_4xx_with_an_error_code()
    {
        // One node for every case (a theory would start one per case).
        foreach (var row in Refused)
        {
            var (method, path, body, status, code) = row;
            var (answered, text) = await SendAsync(new HttpMethod(method), path, body);
            Assert.True(answered == status && text.Contains($"\"code\":\"{code}\"", StringComparison.Ordinal), $"{method} {path} {body}: {answered} {text}");
            Assert.Equal(404, (await SendAsync(HttpMethod.Get, "/__ds/subscriptions/s", null)).Status);
        }
    }

    [Fact]
    public async Task Forged_tokens_stale_wakes_and_the_wrong_worker_calls_are_refused()
    {
        Assert.Equal(201, (await SendAsync(HttpMethod.Put, "/__ds/subscriptions/real", $$$"""{"type":"webhook","pattern":"e/*","webhook":{"url":"{{{Hook}}}"}}""")).Status);
        Assert.Equal(200, (await SendAsync(HttpMethod.Put, "/__ds/subscriptions/real", $$$"""{"type":"webhook","pattern":"e/*","webhook":{"url":"{{{Hook}}}"}}""")).Status);
        var conflict = await SendAsync(HttpMethod.Put, "/__ds/subscriptions/real", $$$"""{"type":"webhook","pattern":"e/**","webhook":{"url":"{{{Hook}}}"}}""");
        Assert.True(conflict.Status == 409 && conflict.Body.Contains("SUBSCRIPTION_EXISTS", StringComparison.Ordinal), conflict.Body);

        var forged = await SendAsync(HttpMethod.Post, "/__ds/subscriptions/real/callback", """{"wake_id":"w_0","generation":0,"done":true}""", "Y2IuMC53XzA.AAAA");
        Assert.True(forged.Status == 409 && forged.Body.Contains("FENCED", StringComparison.Ordinal), forged.Body);
        Assert.Equal(400, (await SendAsync(HttpMethod.Post, "/__ds/subscriptions/real/callback", """{"wake_id":"w_0","generation":"x"}""", "t")).Status);
        Assert.Equal(400, (await SendAsync(HttpMethod.Post, "/__ds/subscriptions/real/callback", """{"wake_id":"w_0","generation":0,"acks":[{"stream":"e/a","offset":"-1"}]}""", "t")).Status);
        var claim = await SendAsync(HttpMethod.Post, "/__ds/subscriptions/real/claim", """{"worker":"w"}""");
        Assert.True(claim.Status == 400 && claim.Body.Contains("WRONG_TYPE", StringComparison.Ordinal), claim.Body);

        // A path with a __ds segment is a control path, never a stream.
        using (var stream = await http!.CreateAsync("/x/__ds/y", "text/plain", null, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, stream.StatusCode);
        }

        using (var head = await http!.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/x/__ds/y"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }

        Assert.Equal(204, (await SendAsync(HttpMethod.Delete, "/__ds/subscriptions/real", null)).Status);
        Assert.Equal(404, (await SendAsync(HttpMethod.Delete, "/__ds/subscriptions/real", null)).Status);
        Assert.Equal(404, (await SendAsync(HttpMethod.Post, "/__ds/subscriptions/real/callback", """{"wake_id":"w_0","generation":0}""", "t")).Status);
    }

    [Fact]
    public async Task A_webhook_that_redirects_is_a_failed_attempt_and_the_redirect_target_is_never_contacted()
    {
        await using var target = new WebhookReceiver(_ => null);
        await using var redirecting = new WebhookReceiver(_ => null) { Status = 307, Location = target.Url };
        Assert.Equal(201, (await SendAsync(HttpMethod.Put, "/__ds/subscriptions/redirect", $$$"""{"type":"webhook","pattern":"r/*","webhook":{"url":"{{{redirecting.Url}}}"}}""")).Status);
        using (var created = await http!.CreateAsync("/r/one", "text/plain", "x", Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The first attempt and its retry after about a second both stop at the redirect.
        await redirecting.Received.Reader.ReadAsync(Ct);
        await redirecting.Received.Reader.ReadAsync(Ct);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await SendAsync(HttpMethod.Get, "/__ds/subscriptions/redirect", null)).Body.Contains("\"status\":\"failed\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the subscription never reported failed");
            await Task.Delay(100, Ct);
        }

        Assert.False(target.Received.Reader.TryRead(out _), "the redirect was followed");
    }

    private async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? json, string? bearer = null)
    {
        using var request = json is null ? new HttpRequestMessage(method, path) : SubscriptionClient.Json(method, new Uri(node!.BaseUrl, path), json, bearer);
        using var response = await http!.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    public async ValueTask DisposeAsync()
    {
        http?.Dispose();
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
