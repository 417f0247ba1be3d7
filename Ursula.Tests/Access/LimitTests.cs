// Each limit of the client surfaces answered with its status: 400 for oversized header values and
// paths outside the character set, 431 for oversized headers, 507 past the stream count, 429 with
// Retry-After past a client's live connections or request rate, 503 past the node's live connections.
using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using System.Text.Json;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

[Trait("Category", "Integration")]
public sealed class LimitTests(LimitsNodeFixture fixture) : IClassFixture<LimitsNodeFixture>
{
    private const string Shared = "/tenant-a/limits-shared";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Oversized_Producer_Id_and_Content_Type_are_answered_400_naming_the_limit()
    {
        using var writer = fixture.ClientWith(TestTokens.Jwt(["write:/tenant-a/**"], subject: "headers"));
        await EnsureSharedAsync(writer);
        using var producer = await writer.AppendAsync(Shared, "x", cancellationToken: Ct, headers: [("Producer-Id", new string('p', 17)), ("Producer-Epoch", "0"), ("Producer-Seq", "0")]);
        Assert.Equal(HttpStatusCode.BadRequest, producer.StatusCode);
        Assert.Contains("Limits:MaxProducerIdBytes", await producer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var type = await writer.AppendAsync(Shared, "x", "text/plain; charset=utf-8; comment=" + new string('c', 40), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, type.StatusCode);
        Assert.Contains("Limits:MaxContentTypeBytes", await type.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_over_the_total_are_answered_431()
    {
        var head = $"GET {Shared} HTTP/1.1\r\nAuthorization: Bearer {TestTokens.ReaderA}\r\nX-Padding: {new string('a', 5000)}\r\n";
        var (status, _) = await RawHttp.SendAsync(fixture.Node.BaseUrl, head, null, Ct);
        Assert.Equal(431, status);
    }

    [Theory]
    [InlineData("/tenant-a/caf%C3%A9")]
    [InlineData("/tenant-a/a%20b")]
    [InlineData("/tenant-a/a%E2%80%AEb")]
    public async Task Paths_outside_the_character_set_are_answered_400(string path)
    {
        using var writer = fixture.ClientWith(TestTokens.Jwt(["write:/tenant-a/**"], subject: "characters"));
        using var response = await writer.CreateAsync(path, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Limits:PathCharacters", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_past_the_stream_count_is_answered_507_and_existing_streams_still_work()
    {
        using var writer = fixture.ClientWith(TestTokens.Jwt(["write:/tenant-a/**"], subject: "streams"));
        await EnsureSharedAsync(writer);
        HttpStatusCode last = HttpStatusCode.Created;
        for (var i = 0; i < LimitsNodeFixture.MaxStreams + 1 && last != HttpStatusCode.InsufficientStorage; i++)
        {
            using var created = await writer.CreateAsync($"/tenant-a/count-{Guid.NewGuid():N}", cancellationToken: Ct);
            last = created.StatusCode;
            Assert.True(last is HttpStatusCode.Created or HttpStatusCode.InsufficientStorage, $"create {i} got {(int)last}");
        }

        Assert.Equal(HttpStatusCode.InsufficientStorage, last);
        using var health = await fixture.Client.GetAsync("/_ursula/health", Ct);
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync(Ct));
        Assert.Equal(LimitsNodeFixture.MaxStreams, json.RootElement.GetProperty("streams").GetInt32());
        using var again = await writer.CreateAsync(Shared, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        // The hub's Create is held to the same count.
        await using var hub = new Microsoft.AspNetCore.SignalR.Client.HubConnectionBuilder()
            .WithUrl(Ursula.Tests.Hub.HubClients.HubUrl(fixture.Node.BaseUrl), o => o.AccessTokenProvider = () => Task.FromResult<string?>(TestTokens.WriterA))
            .Build();
        await hub.StartAsync(Ct);
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => hub.InvokeAsync<Ursula.Server.Hub.CreateResult>("Create", $"/tenant-a/hub-{Guid.NewGuid():N}", "text/plain", Ct));
        Assert.Equal(507, Ursula.Tests.Hub.HubClients.StatusOf(error));
    }

    [Fact]
    public async Task Live_connections_past_the_client_and_node_limits_are_answered_429_and_503()
    {
        using var admin = fixture.ClientWith(TestTokens.AdminAll);
        await EnsureSharedAsync(admin);
        var first = TestTokens.Jwt(["read:/tenant-a/**"], subject: "live-a");
        var second = TestTokens.Jwt(["read:/tenant-a/**"], subject: "live-b");
        var open = new List<HttpResponseMessage>();
        using var clientA = fixture.ClientWith(first);
        using var clientB = fixture.ClientWith(second);
        try
        {
            open.Add(await SseAsync(clientA));
            open.Add(await SseAsync(clientA));
            using (var third = await SseAsync(clientA))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
                Assert.NotNull(third.Headers.RetryAfter);
            }

            open.Add(await SseAsync(clientB));
            Assert.All(open, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            using var full = await SseAsync(clientB);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
            Assert.Contains("Limits:MaxLiveConnections", await full.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }

        // Closed connections are given back: the client may open one again.
        await WaitUntilAsync(async () =>
        {
            using var again = await SseAsync(clientA);
            return again.StatusCode == HttpStatusCode.OK;
        });
    }

    [Fact]
    public async Task Hub_connections_count_as_live_connections_and_hub_paths_keep_the_character_set()
    {
        var token = TestTokens.Jwt(["read:/tenant-a/**"], subject: "hub-live");
        var connections = new List<HubConnection>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var connection = Connect(token);
                connections.Add(connection);
                await connection.StartAsync(Ct);
            }

            await using var third = Connect(token);
            await Assert.ThrowsAnyAsync<Exception>(() => third.StartAsync(Ct));

            var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => connections[0].InvokeAsync<Ursula.Server.Hub.StreamInfo>("Head", "/tenant-a/caf\u00e9", Ct));
            Assert.Equal(400, Ursula.Tests.Hub.HubClients.StatusOf(error));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private HubConnection Connect(string token) =>
        new HubConnectionBuilder()
            .WithUrl(Ursula.Tests.Hub.HubClients.HubUrl(fixture.Node.BaseUrl), o =>
            {
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();

    [Fact]
    public async Task A_client_over_its_request_rate_is_answered_429_with_Retry_After_and_others_are_not()
    {
        using var busy = fixture.ClientWith(TestTokens.Jwt(["read:/tenant-a/**"], subject: "busy"));
        using var calm = fixture.ClientWith(TestTokens.Jwt(["read:/tenant-a/**"], subject: "calm"));
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 200 && limited is null; i++)
        {
            var response = await busy.GetAsync(Shared, Ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without Retry-After");
            Assert.Contains("Limits:RequestsPerSecond", await limited.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using var other = await calm.GetAsync("/_ursula/health", Ct);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using var calmRead = await calm.GetAsync(Shared, Ct);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, calmRead.StatusCode);
    }

    private static async Task EnsureSharedAsync(HttpClient client)
    {
        using var admin = new HttpClient { BaseAddress = client.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.AdminAll);
        using var response = await admin.CreateAsync(Shared, cancellationToken: Ct);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"creating {Shared} got {(int)response.StatusCode}");
    }

    private static Task<HttpResponseMessage> SseAsync(HttpClient client) =>
        client.GetAsync($"{Shared}?offset=now&live=sse", HttpCompletionOption.ResponseHeadersRead, Ct);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(100, Ct);
        }
    }
}
