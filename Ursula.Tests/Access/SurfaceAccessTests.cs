// The same grants on the other client surfaces: the SignalR hub (connection and each method), the
// stream listing, and live readers that outlast their token (SSE and hub subscriptions end at
// its expiry, with a last control event or a 401 hub error).
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Ursula.Server.Hub;
using Ursula.Tests.Hub;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

[Trait("Category", "Integration")]
public sealed class SurfaceAccessTests(AuthNodeFixture fixture) : IClassFixture<AuthNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task The_hub_refuses_connections_without_a_valid_token(HttpTransportType transport)
    {
        foreach (var token in new string?[] { null, "key-nobody-ever-issued-0000", TestTokens.ExpiredKey, TestTokens.Jwt(["admin:/**"], lifetime: TimeSpan.FromMinutes(-1)), TestTokens.Jwt(["admin:/**"], audience: "other") })
        {
            await using var connection = Build(token, transport);
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(Ct));
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        }
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task Each_hub_method_checks_the_grant_on_its_path(HttpTransportType transport)
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var own = $"/tenant-a/{Guid.NewGuid():N}";
        var other = $"/tenant-b/{Guid.NewGuid():N}";
        (await adminAll.CreateAsync(own, body: "mine", cancellationToken: Ct)).EnsureSuccessStatusCode();
        (await adminAll.CreateAsync(other, body: "theirs", cancellationToken: Ct)).EnsureSuccessStatusCode();

        await using var reader = Build(TestTokens.ReaderA, transport);
        await reader.StartAsync(Ct);
        Assert.Equal(own, (await reader.InvokeAsync<StreamInfo>("Head", own, Ct)).Path);
        var (text, _) = await HubClients.ReadUntilAsync(reader, own, "-1", t => t == "mine", Ct);
        Assert.Equal("mine", text);
        await AssertHubStatusAsync(403, () => reader.InvokeAsync<AppendResult>("Append", own, "x", Ct));
        await AssertHubStatusAsync(403, () => reader.InvokeAsync<AppendResult>("Close", own, Ct));
        await AssertHubStatusAsync(403, () => reader.InvokeAsync<CreateResult>("Create", own + "-new", "text/plain", Ct));
        await AssertHubStatusAsync(403, () => reader.InvokeAsync<StreamInfo>("Head", other, Ct));
        await AssertHubStatusAsync(403, () => HubClients.ReadUntilAsync(reader, other, "-1", _ => true, Ct));
        await AssertHubStatusAsync(400, () => reader.InvokeAsync<StreamInfo>("Head", "/tenant-a/../tenant-b/" + other[10..], Ct));
        await AssertHubStatusAsync(400, () => reader.InvokeAsync<StreamInfo>("Head", "/tenant-a%2F..%2Ftenant-b/" + other[10..], Ct));

        await using var writer = Build(TestTokens.Jwt(["write:/tenant-a/**"]), transport);
        await writer.StartAsync(Ct);
        await writer.InvokeAsync<AppendResult>("Append", own, "+more", Ct);
        await AssertHubStatusAsync(403, () => writer.InvokeAsync<AppendResult>("Append", other, "injected", Ct));
        Assert.Equal("mine+more", await adminAll.ReadAllAsync(own, Ct));
        Assert.Equal("theirs", await adminAll.ReadAllAsync(other, Ct));
    }

    [Fact]
    public async Task The_listing_shows_only_what_the_grants_let_the_caller_read()
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var run = Guid.NewGuid().ToString("N")[..8];
        var mine = Enumerable.Range(0, 3).Select(i => $"/tenant-a/list-{run}-{i}").ToList();
        var theirs = Enumerable.Range(0, 3).Select(i => $"/tenant-b/list-{run}-{i}").ToList();
        foreach (var path in mine.Concat(theirs))
        {
            (await adminAll.CreateAsync(path, cancellationToken: Ct)).EnsureSuccessStatusCode();
        }

        using var anonymous = fixture.ClientWith(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/_ursula/streams", Ct)).StatusCode);
        using var noGrants = fixture.ClientWith(TestTokens.NoGrants);
        Assert.Equal(HttpStatusCode.Forbidden, (await noGrants.GetAsync("/_ursula/streams", Ct)).StatusCode);

        using var reader = fixture.ClientWith(TestTokens.ReaderA);
        var listed = new List<string>();
        string? after = null;
        do
        {
            using var page = await reader.GetAsync($"/_ursula/streams?limit=2{(after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after))}", Ct);
            page.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await page.Content.ReadAsStringAsync(Ct));
            listed.AddRange(json.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("path").GetString()!));
            after = json.RootElement.GetProperty("next").GetString();
            Assert.False(after is not null && after.StartsWith("/tenant-b", StringComparison.Ordinal), "the page cursor names a stream the caller may not read");
        }
        while (after is not null);

        Assert.All(listed, p => Assert.StartsWith("/tenant-a/", p, StringComparison.Ordinal));
        Assert.Subset(listed.ToHashSet(), mine.ToHashSet());
        using var prefixed = await reader.GetAsync("/_ursula/streams?prefix=/tenant-b/", Ct);
        Assert.Equal("{\"streams\":[],\"next\":null}", await prefixed.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_console_page_loads_without_a_token_but_its_data_needs_one()
    {
        using var anonymous = fixture.ClientWith(null);
        using var page = await anonymous.GetAsync("/_ursula/ui/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/_ursula/streams", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/_ursula/hub/negotiate?negotiateVersion=1", null, Ct)).StatusCode);
    }

    [Fact]
    public async Task An_SSE_reader_ends_with_a_control_event_when_its_token_expires()
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var path = $"/tenant-a/{Guid.NewGuid():N}";
        (await adminAll.CreateAsync(path, body: "before", cancellationToken: Ct)).EnsureSuccessStatusCode();
        var token = TestTokens.Jwt(["read:/tenant-a/**"], lifetime: TimeSpan.FromSeconds(4));
        using var reader = fixture.ClientWith(token);
        var started = DateTime.UtcNow;
        using var response = await reader.GetAsync($"{path}?offset=-1&live=sse", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        var lasted = DateTime.UtcNow - started;
        Assert.InRange(lasted, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
        Assert.Contains("data:before", body, StringComparison.Ordinal);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(": token expired", events[^1]);
        Assert.StartsWith("event: control", events[^2], StringComparison.Ordinal);

        using var again = await reader.GetAsync($"{path}?offset=-1&live=sse", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task A_waiting_long_poll_is_answered_401_when_its_token_expires()
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var path = $"/tenant-a/{Guid.NewGuid():N}";
        (await adminAll.CreateAsync(path, body: "before", cancellationToken: Ct)).EnsureSuccessStatusCode();
        using var head = await adminAll.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);
        var tail = head.Headers.GetValues("Stream-Next-Offset").Single();
        // JWT expiry is in whole seconds: this one runs out 0.6 to 1.6 s from now, inside the first
        // long-poll, which (this node's long-poll timeout is 2 s) would otherwise end 204 at 2 s.
        using var reader = fixture.ClientWith(TestTokens.Jwt(["read:/tenant-a/**"], lifetime: TimeSpan.FromSeconds(1.6)));
        var started = DateTime.UtcNow;
        using var response = await reader.GetAsync($"{path}?offset={tail}&live=long-poll", Ct);
        var lasted = DateTime.UtcNow - started;
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.InRange(lasted, TimeSpan.FromSeconds(0.3), TimeSpan.FromSeconds(1.95));
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_subscription_ends_with_a_401_error_when_its_token_expires()
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var path = $"/tenant-a/{Guid.NewGuid():N}";
        (await adminAll.CreateAsync(path, body: "before", cancellationToken: Ct)).EnsureSuccessStatusCode();
        await using var connection = Build(TestTokens.Jwt(["read:/tenant-a/**"], lifetime: TimeSpan.FromSeconds(4)), HttpTransportType.WebSockets);
        await connection.StartAsync(Ct);
        var started = DateTime.UtcNow;
        var items = new List<StreamItem>();
        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var item in connection.StreamAsync<StreamItem>("Subscribe", path, "-1", Ct))
            {
                items.Add(item);
            }
        });
        Assert.Equal(401, HubClients.StatusOf(error));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
        Assert.Equal("before", string.Concat(items.Select(i => i.Data)));

        // Calls on the connection after the expiry are refused too.
        await AssertHubStatusAsync(401, () => connection.InvokeAsync<StreamInfo>("Head", path, Ct));
    }

    private HubConnection Build(string? token, HttpTransportType transport) =>
        new HubConnectionBuilder()
            .WithUrl(HubClients.HubUrl(fixture.Node.BaseUrl), o =>
            {
                o.Transports = transport;
                o.SkipNegotiation = false;
                if (token is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();

    private static async Task AssertHubStatusAsync(int status, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HubException>(call);
        Assert.Equal(status, HubClients.StatusOf(error));
    }
}
