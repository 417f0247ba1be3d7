// Protocol points where the spec text decides against what the server did before: error
// precedence on closed streams, Stream-Forked-From as a URL path, UTF-8 in JSON mode, SSE lines
// that begin with a space, and a chunked body whose chunk size overflows.
using System.Net;
using System.Text;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class ProtocolPointTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData("[]")]
    [InlineData("[}}not json{{")]
    [InlineData("{\"n\":")]
    public async Task An_unacceptable_JSON_append_to_a_closed_stream_is_409_with_Stream_Closed(string body)
    {
        var path = $"/points/closed-{Guid.NewGuid():N}";
        using (var created = await Client.CreateAsync(path, "application/json", "[{\"n\":1}]", Ct, ("Stream-Closed", "true")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var response = await Client.AppendAsync(path, body, "application/json", Ct);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("true", response.Header("Stream-Closed"));
        Assert.Equal("0000000000000000_0000000000000001", response.Header("Stream-Next-Offset"));

        // On an open stream the same body is still a 400.
        var open = $"/points/open-{Guid.NewGuid():N}";
        await Client.CreateAsync(open, "application/json", cancellationToken: Ct);
        using var refused = await Client.AppendAsync(open, body, "application/json", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Stream_Forked_From_names_the_source_as_its_URL_path_does()
    {
        var id = Guid.NewGuid().ToString("N");
        using (var source = await Client.CreateAsync($"/points/{id}/sp%20ace", body: "from the source", cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.Created, source.StatusCode);
        }

        using (var fork = await Client.CreateAsync($"/points/{id}/fork", contentType: string.Empty, cancellationToken: Ct, headers: ("Stream-Forked-From", $"/points/{id}/sp%20ace")))
        {
            Assert.Equal(HttpStatusCode.Created, fork.StatusCode);
        }

        Assert.Equal("from the source", await Client.ReadAllAsync($"/points/{id}/fork", Ct));

        using var missing = await Client.CreateAsync($"/points/{id}/fork2", contentType: string.Empty, cancellationToken: Ct, headers: ("Stream-Forked-From", $"/points/{id}/sp%2520ace"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task JSON_bodies_that_are_not_valid_UTF8_are_refused_with_400()
    {
        var path = $"/points/utf8-{Guid.NewGuid():N}";
        byte[] invalid = [.. "{\"a\":\""u8, 0xFF, .. "\"}"u8];
        using (var create = await SendBytesAsync(HttpMethod.Put, path, invalid))
        {
            Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        }

        await Client.CreateAsync(path, "application/json", "{\"a\":\"ok\"}", Ct);
        using (var append = await SendBytesAsync(HttpMethod.Post, path, invalid))
        {
            Assert.Equal(HttpStatusCode.BadRequest, append.StatusCode);
        }

        Assert.Equal("[{\"a\":\"ok\"}]", await Client.ReadAllAsync(path, Ct));
    }

    [Fact]
    public async Task SSE_writes_a_line_that_begins_with_a_space_after_data_and_a_space_so_the_space_survives_parsing()
    {
        var path = $"/points/sse-{Guid.NewGuid():N}";
        await Client.CreateAsync(path, body: " leading space\r\nsecond", cancellationToken: Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?offset=-1&live=sse");
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("event: control", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.Equal(["event: data", "data:  leading space", "data:second", string.Empty, "event: control"], lines);

        // What a standard SSE parser makes of it: one space after the colon is dropped.
        var parsed = string.Join('\n', lines.Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].StartsWith(' ') ? l[6..] : l[5..]));
        Assert.Equal(" leading space\nsecond", parsed);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task A_chunked_body_whose_chunk_size_overflows_gets_400(string method)
    {
        var path = $"/points/chunked-{Guid.NewGuid():N}";
        if (method == "POST")
        {
            await Client.CreateAsync(path, body: "a", cancellationToken: Ct);
        }

        var request = $"{method} {path} HTTP/1.1\r\nHost: {fixture.Node.BaseUrl.Authority}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
            "FFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n";
        var (status, response) = await RawHttp.SendBytesAsync(fixture.Node.BaseUrl, Encoding.ASCII.GetBytes(request), Ct);
        Assert.True(status == 400, response);
        Assert.DoesNotContain("   at ", response, StringComparison.Ordinal);
        using var health = await Client.GetAsync("/_ursula/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private async Task<HttpResponseMessage> SendBytesAsync(HttpMethod method, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        return await Client.SendAsync(request, Ct);
    }
}
