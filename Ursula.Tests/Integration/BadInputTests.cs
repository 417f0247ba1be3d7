using System.Net;
using System.Text;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

public sealed class SmallLimitNodeFixture(PostgresFixture postgres) : SingleNodeFixture(postgres)
{
    protected override string[] ExtraArguments => ["--max-append-bytes", "1024"];
}

[Trait("Category", "Integration")]
public sealed class BadInputTests(SmallLimitNodeFixture fixture) : IClassFixture<SmallLimitNodeFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Malformed_producer_headers_get_400_and_append_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await Client.CreateAsync("/bad/producer", body: "a", cancellationToken: ct);
        (string, string)[][] cases =
        [
            [("Producer-Id", "p"), ("Producer-Epoch", "abc"), ("Producer-Seq", "0")],
            [("Producer-Id", "p"), ("Producer-Epoch", "0"), ("Producer-Seq", "-1")],
            [("Producer-Id", "p"), ("Producer-Epoch", "0")],
            [("Producer-Id", ""), ("Producer-Epoch", "0"), ("Producer-Seq", "0")],
            [("Producer-Id", "p"), ("Producer-Epoch", "9007199254740992"), ("Producer-Seq", "0")],
        ];
        foreach (var headers in cases)
        {
            using var response = await Client.AppendAsync("/bad/producer", "x", cancellationToken: ct, headers: headers);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal("a", await Client.ReadAllAsync("/bad/producer", ct));
        using var first = await Client.AppendAsync("/bad/producer", "b", cancellationToken: ct, headers: [("Producer-Id", "p"), ("Producer-Epoch", "0"), ("Producer-Seq", "0")]);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
    }

    [Theory]
    [InlineData("Stream-TTL", "-1")]
    [InlineData("Stream-TTL", "1e3")]
    [InlineData("Stream-TTL", "060")]
    [InlineData("Stream-Expires-At", "tomorrow")]
    [InlineData("Stream-Fork-Sub-Offset", "1")]
    public async Task Malformed_create_headers_get_400_and_create_nothing(string header, string value)
    {
        var ct = TestContext.Current.CancellationToken;
        var path = $"/bad/create-{Guid.NewGuid():N}";
        using var response = await Client.CreateAsync(path, cancellationToken: ct, headers: [(header, value)]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), ct);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Invalid_json_and_empty_arrays_are_refused_and_change_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await Client.CreateAsync("/bad/json", "application/json", "[{\"n\":1}]", ct);
        foreach (var body in new[] { "{\"n\":", "[]", "{\"a\":1} trailing", "NaN" })
        {
            using var response = await Client.AppendAsync("/bad/json", body, "application/json", ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal("[{\"n\":1}]", await Client.ReadAllAsync("/bad/json", ct));
    }

    [Fact]
    public async Task Bodies_over_the_configured_limit_get_413_and_change_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await Client.CreateAsync("/bad/limit", body: "small", cancellationToken: ct);
        var big = new string('x', 2048);
        using (var append = await Client.AppendAsync("/bad/limit", big, cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, append.StatusCode);
        }

        using (var create = await Client.CreateAsync("/bad/limit-create", body: big, cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, create.StatusCode);
        }

        Assert.Equal("small", await Client.ReadAllAsync("/bad/limit", ct));
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/bad/limit-create"), ct);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Theory]
    [InlineData("/bad/../escaped")]
    [InlineData("/bad/%2e%2e/escaped")]
    [InlineData("/bad/%2E%2E/escaped")]
    [InlineData("/bad/./escaped")]
    [InlineData("/bad/%2e/escaped")]
    [InlineData("/bad//escaped")]
    public async Task Path_traversal_attempts_are_refused_before_they_reach_a_stream(string target)
    {
        var ct = TestContext.Current.CancellationToken;
        var (status, response) = await RawHttp.SendAsync(Client.BaseAddress!, $"PUT {target} HTTP/1.1\r\nContent-Type: text/plain\r\n", Encoding.UTF8.GetBytes("x"), ct);
        Assert.True(status == 400, response);
        Assert.Contains("segments", response, StringComparison.Ordinal);
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/escaped"), ct);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        using var nested = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/bad/escaped"), ct);
        Assert.Equal(HttpStatusCode.NotFound, nested.StatusCode);
    }

    [Fact]
    public async Task Oversized_headers_are_refused_with_431_and_change_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await Client.CreateAsync("/bad/headers", body: "a", cancellationToken: ct);
        var huge = new string('s', 64 * 1024);
        var (status, _) = await RawHttp.SendAsync(Client.BaseAddress!, $"POST /bad/headers HTTP/1.1\r\nContent-Type: text/plain\r\nStream-Seq: {huge}\r\n", Encoding.UTF8.GetBytes("b"), ct);
        Assert.Equal(431, status);
        Assert.Equal("a", await Client.ReadAllAsync("/bad/headers", ct));
    }

    [Fact]
    public async Task Empty_appends_missing_content_types_and_unknown_methods_get_clear_4xx()
    {
        var ct = TestContext.Current.CancellationToken;
        await Client.CreateAsync("/bad/misc", body: "a", cancellationToken: ct);
        using (var empty = await Client.AppendAsync("/bad/misc", string.Empty, cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using (var untyped = await Client.AppendAsync("/bad/misc", "b", contentType: string.Empty, cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, untyped.StatusCode);
        }

        using (var patch = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/bad/misc"), ct))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, patch.StatusCode);
        }

        using (var offset = await Client.GetAsync("/bad/misc?offset=abc", ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, offset.StatusCode);
        }

        Assert.Equal("a", await Client.ReadAllAsync("/bad/misc", ct));
    }
}
