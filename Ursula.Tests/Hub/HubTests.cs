// The SignalR hub against a real node process, through the .NET SignalR client: subscriptions
// (text, JSON, binary; JSON and MessagePack protocols), appends over HTTP and through the hub in
// one order, closure, producers and the errors a client can act on.
using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Ursula.Server.Hub;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Hub;

[Trait("Category", "Integration")]
public sealed class HubTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http => fixture.Client;

    private static string NewPath(string name) => $"/hub-tests/{name}-{Guid.NewGuid():N}";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_subscriber_receives_every_byte_appended_over_HTTP_and_through_the_hub_in_order(bool messagePack)
    {
        var path = NewPath("order");
        await using var hub = await HubClients.ConnectAsync(fixture.Node.BaseUrl, Ct, messagePack);
        var created = await hub.InvokeAsync<CreateResult>("Create", path, "text/plain", Ct);
        Assert.True(created.Created);

        var chunks = Enumerable.Range(0, 40).Select(i => $"{i:D3}-é{(i % 2 == 0 ? 'h' : 'w')}\n").ToList();
        var expected = string.Concat(chunks);
        var reading = HubClients.ReadUntilAsync(hub, path, "-1", text => text.Length >= expected.Length, Ct);
        foreach (var (chunk, i) in chunks.Select((c, i) => (c, i)))
        {
            if (i % 2 == 0)
            {
                var appended = await hub.InvokeAsync<AppendResult>("Append", path, chunk, Ct);
                Assert.NotNull(appended.NextOffset);
            }
            else
            {
                using var response = await Http.AppendAsync(path, chunk, "text/plain", Ct);
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
        }

        var (text, items) = await reading.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(expected, text);
        Assert.Equal(await Http.ReadAllAsync(path, Ct), text);
        Assert.True(items[^1].UpToDate);
        Assert.Equal((await hub.InvokeAsync<StreamInfo>("Head", path, Ct)).NextOffset, items[^1].NextOffset);
    }

    [Fact]
    public async Task A_JSON_stream_arrives_as_JSON_array_text_and_a_binary_stream_as_base64()
    {
        var json = NewPath("json");
        var binary = NewPath("binary");
        await using var hub = await HubClients.ConnectAsync(fixture.Node.BaseUrl, Ct);
        await hub.InvokeAsync<CreateResult>("Create", json, "application/json", Ct);
        await hub.InvokeAsync<CreateResult>("Create", binary, "application/octet-stream", Ct);
        await hub.InvokeAsync<AppendResult>("Append", json, "[{\"a\":1},{\"b\":2}]", Ct);
        await hub.InvokeAsync<AppendResult>("Append", json, "\"three\"", Ct);
        byte[] bytes = [0, 1, 2, 250, 255, 10, 13];
        await hub.InvokeAsync<AppendResult>("AppendBytes", binary, bytes, Ct);

        var (_, jsonItems) = await HubClients.ReadUntilAsync(hub, json, "-1", _ => true, Ct);
        Assert.Equal("[{\"a\":1},{\"b\":2},\"three\"]", jsonItems[0].Data);
        Assert.Equal("0000000000000000_0000000000000003", jsonItems[0].NextOffset);

        var (_, binaryItems) = await HubClients.ReadUntilAsync(hub, binary, "-1", _ => true, Ct);
        Assert.Equal(bytes, Convert.FromBase64String(binaryItems[0].Data));
    }

    [Fact]
    public async Task A_subscription_from_now_reports_up_to_date_and_completes_when_the_stream_closes()
    {
        var path = NewPath("close");
        await Http.CreateAsync(path, "text/plain", "before", Ct);
        await using var hub = await HubClients.ConnectAsync(fixture.Node.BaseUrl, Ct);
        var items = new List<StreamItem>();
        var first = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var item in hub.StreamAsync<StreamItem>("Subscribe", path, "now", Ct))
            {
                items.Add(item);
                first.TrySetResult();
            }
        }, Ct);

        await first.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(new StreamItem("", "0000000000000000_0000000000000006", true, false), items[0]);
        await Http.AppendAsync(path, " after", "text/plain", Ct);
        var closed = await hub.InvokeAsync<AppendResult>("Close", path, Ct);
        await reading.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(" after", string.Concat(items.Select(i => i.Data)));
        Assert.True(items[^1].Closed);
        Assert.Equal(closed.NextOffset, items[^1].NextOffset);
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<AppendResult>("Append", path, "late", Ct));
        Assert.Equal(409, HubClients.StatusOf(refused));
        Assert.Contains("closed", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_subscription_to_a_missing_or_deleted_stream_fails_with_404()
    {
        await using var hub = await HubClients.ConnectAsync(fixture.Node.BaseUrl, Ct);
        var missing = await Assert.ThrowsAsync<HubException>(() => HubClients.ReadUntilAsync(hub, NewPath("missing"), "-1", _ => true, Ct));
        Assert.Equal(404, HubClients.StatusOf(missing));
        Assert.Contains("Create(path, contentType)", missing.Message, StringComparison.Ordinal);

        var path = NewPath("deleted");
        await Http.CreateAsync(path, "text/plain", "x", Ct);
        var reading = HubClients.ReadUntilAsync(hub, path, "-1", _ => false, Ct);
        await Task.Delay(300, Ct);
        await Http.DeleteAsync(new Uri(path, UriKind.Relative), Ct);
        var deleted = await Assert.ThrowsAsync<HubException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(404, HubClients.StatusOf(deleted));

        var badOffset = await Assert.ThrowsAsync<HubException>(() => HubClients.ReadUntilAsync(hub, path, "yesterday", _ => true, Ct));
        Assert.Equal(400, HubClients.StatusOf(badOffset));
    }

    [Fact]
    public async Task Producer_appends_through_the_hub_have_the_HTTP_semantics()
    {
        var path = NewPath("producer");
        await using var hub = await HubClients.ConnectAsync(fixture.Node.BaseUrl, Ct);
        await hub.InvokeAsync<CreateResult>("Create", path, "text/plain", Ct);

        var first = await hub.InvokeAsync<AppendResult>("AppendAs", path, "a", new ProducerClaimInput("p1", 1, 0), Ct);
        var retry = await hub.InvokeAsync<AppendResult>("AppendAs", path, "a", new ProducerClaimInput("p1", 1, 0), Ct);
        Assert.False(first.Duplicate);
        Assert.True(retry.Duplicate);

        var gap = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<AppendResult>("AppendBytesAs", path, "c"u8.ToArray(), new ProducerClaimInput("p1", 1, 5), Ct));
        Assert.Equal(409, HubClients.StatusOf(gap));
        Assert.Contains("expected seq 1, received 5", gap.Message, StringComparison.Ordinal);

        await hub.InvokeAsync<AppendResult>("AppendAs", path, "b", new ProducerClaimInput("p1", 2, 0), Ct);
        var stale = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<AppendResult>("AppendAs", path, "z", new ProducerClaimInput("p1", 1, 1), Ct));
        Assert.Equal(403, HubClients.StatusOf(stale));
        Assert.Contains("epoch 2", stale.Message, StringComparison.Ordinal);

        Assert.Equal("ab", await Http.ReadAllAsync(path, Ct));
    }

    [Fact]
    public async Task Create_is_idempotent_and_refuses_a_different_configuration_with_409()
    {
        var path = NewPath("create");
        await using var hub = await HubClients.ConnectAsync(fixture.Node.BaseUrl, Ct);
        Assert.True((await hub.InvokeAsync<CreateResult>("Create", path, "text/plain", Ct)).Created);
        Assert.False((await hub.InvokeAsync<CreateResult>("Create", path, "text/plain", Ct)).Created);
        var conflict = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<CreateResult>("Create", path, "application/json", Ct));
        Assert.Equal(409, HubClients.StatusOf(conflict));

        var info = await hub.InvokeAsync<StreamInfo>("Head", path.TrimStart('/'), Ct);
        Assert.Equal(path, info.Path);
        Assert.Equal("text/plain", info.ContentType);
        var reserved = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<StreamInfo>("Head", "/_ursula/health", Ct));
        Assert.Equal(400, HubClients.StatusOf(reserved));
    }

    [Fact]
    public async Task The_stream_listing_pages_through_streams_under_a_prefix_in_path_order()
    {
        var prefix = $"/listing-{Guid.NewGuid():N}/";
        foreach (var name in new[] { "c", "a", "b", "d", "e" })
        {
            await Http.CreateAsync(prefix + name, "text/plain", cancellationToken: Ct);
        }

        await Http.CreateAsync($"/elsewhere-{Guid.NewGuid():N}", "text/plain", cancellationToken: Ct);
        var seen = new List<string>();
        string? after = null;
        do
        {
            var url = $"/_ursula/streams?prefix={Uri.EscapeDataString(prefix)}&limit=2{(after is null ? "" : "&after=" + Uri.EscapeDataString(after))}";
            using var response = await Http.GetAsync(new Uri(url, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            seen.AddRange(page.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("path").GetString()!));
            after = page.RootElement.GetProperty("next").GetString();
        }
        while (after is not null);

        Assert.Equal(["a", "b", "c", "d", "e"], seen.Select(p => p[prefix.Length..]));
        using var bad = await Http.GetAsync(new Uri("/_ursula/streams?limit=0", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_hub_and_the_listing_answer_browsers_of_other_origins_without_the_cluster_secret()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/_ursula/hub/negotiate?negotiateVersion=1");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-requested-with,x-signalr-user-agent");
        using var answer = await Http.SendAsync(preflight, Ct);
        Assert.True(answer.IsSuccessStatusCode, $"preflight answered {answer.StatusCode}");
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var listing = new HttpRequestMessage(HttpMethod.Get, "/_ursula/streams");
        listing.Headers.Add("Origin", "https://app.example");
        using var listed = await Http.SendAsync(listing, Ct);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal("*", listed.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
