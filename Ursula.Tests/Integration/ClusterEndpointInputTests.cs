// Hostile input on the cluster endpoints, sent with the secret (a compromised or buggy peer): the
// forwarding endpoint decodes defensively, re-validates every command and bounds its body; the
// Raft transport answers malformed requests 400 with a short body. Never 500, never a stack
// trace, and the node keeps serving its streams.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using DotNext.Net.Cluster;
using Microsoft.AspNetCore.Connections;
using Ursula.Server.State.Commands;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class ClusterEndpointInputTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private const string SubmitPath = "/_ursula/internal/submit";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => fixture.Client;

    public static TheoryData<string, byte[]> HostileSubmissions => new()
    {
        { "a JSON stream fed [}}not json{{", Entry(new AppendStreamCommand("/input/json", "application/json", null, null, false, new CommandBody("[}}not json{{"u8.ToArray(), 1))) },
        { "a message count of 2^31", Entry(new AppendStreamCommand("/input/json", "application/json", null, null, false, new CommandBody("1"u8.ToArray(), int.MinValue))) },
        { "a message count past the payload", Entry(new AppendStreamCommand("/input/json", "application/json", null, null, false, new CommandBody("1"u8.ToArray(), int.MaxValue))) },
        { "a negative fork position", Entry(new CreateStreamCommand("/input/fork", null, null, null, false, CommandBody.None, new ForkRequest("/input/json", -5, 0))) },
        { "a negative fork sub-offset", Entry(new CreateStreamCommand("/input/fork", null, null, null, false, CommandBody.None, new ForkRequest("/input/json", 0, -1))) },
        { "a path containing NUL", Entry(new CreateStreamCommand("/input/a\0b", "text/plain", null, null, false, CommandBody.None, null)) },
        { "a delete of a path containing NUL", Entry(new DeleteStreamCommand("/input/\0")) },
        { "a reserved path", Entry(new CreateStreamCommand("/_URSULA/admin", "text/plain", null, null, false, CommandBody.None, null)) },
        { "a producer epoch past 2^53-1", Entry(new AppendStreamCommand("/input/text", "text/plain", null, new ProducerClaim("p", long.MaxValue, 0), false, new CommandBody("x"u8.ToArray(), CommandBody.Raw))) },
        { "an empty producer id", Entry(new AppendStreamCommand("/input/text", "text/plain", null, new ProducerClaim(string.Empty, 0, 0), false, new CommandBody("x"u8.ToArray(), CommandBody.Raw))) },
        { "a leader-only subscription delivery outcome", Entry(new SubscriptionDeliveryCommand("", "s", "w_1", 1, DeliveryOutcome.Done, 0)) },
        { "a subscription with a short signing seed", Entry(new PutSubscriptionCommand("", "s", new Ursula.Server.State.Subscriptions.SubscriptionConfig(
            Ursula.Server.State.Subscriptions.SubscriptionType.Webhook, "input/*", [], "https://example.com/h", null, 30_000, null), "http://127.0.0.1:1", new byte[5])) },
        { "a subscription id with a slash", Entry(new DeleteSubscriptionCommand("", "a/b")) },
        { "a subscription root with __ds", Entry(new DeleteSubscriptionCommand("/x/__ds", "s")) },
        { "an explicit link to a reserved path", Entry(new SubscriptionStreamsCommand("", "s", ["_ursula/admin"], [])) },
        { "a worker ack without a token", Entry(new SubscriptionWorkerCommand("", "s", WorkerOperation.Ack, null, null, "w_1", 1, [], true)) },
        { "a worker ack of a negative position", Entry(new SubscriptionWorkerCommand("", "s", WorkerOperation.Ack, null, "t", "w_1", 1, [new StreamAck("input/text", -1)], true)) },
        { "an empty body", [] },
        { "garbage", "GET / HTTP/1.1\r\n\r\n"u8.ToArray() },
        { "a truncated entry", Entry(new DeleteStreamCommand("/input/text"))[..^1] },
        { "a command count past the end", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F] },
        { "a negative string length", [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0xFE, 0xFF, 0xFF, 0xFF] },
        { "an unknown command kind", [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 99, 2, 0, 0, 0, (byte)'/', (byte)'x'] },
    };

    [Theory]
    [MemberData(nameof(HostileSubmissions))]
    public async Task Hostile_forwarded_commands_are_refused_with_400_and_change_nothing(string name, byte[] body)
    {
        await EnsureStreamsAsync();
        using var response = await SubmitAsync(body);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.True(text.Length < 600, text);

        Assert.Equal("[{\"n\":1}]", await Client.ReadAllAsync("/input/json", Ct));
        Assert.Equal("t", await Client.ReadAllAsync("/input/text", Ct));
        using var fork = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/input/fork"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, fork.StatusCode);
        using var health = await Client.GetAsync("/_ursula/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_valid_forwarded_command_is_applied_as_a_request_would_be()
    {
        await EnsureStreamsAsync();
        using var response = await SubmitAsync(Entry(new AppendStreamCommand("/input/forwarded", "text/plain", null, null, false, new CommandBody("x"u8.ToArray(), CommandBody.Raw))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":404", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var created = await SubmitAsync(Entry(new CreateStreamCommand("/input/forwarded", "text/plain", null, null, false, new CommandBody("via leader"u8.ToArray(), CommandBody.Raw), null)));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("via leader", await Client.ReadAllAsync("/input/forwarded", Ct));
    }

    [Fact]
    public async Task A_400_MB_forwarded_body_gets_413_and_the_node_neither_grows_nor_stops_serving()
    {
        await EnsureStreamsAsync();
        var rssBefore = ResidentMegabytes(fixture.Node.ProcessId);

        // Declared up front: refused before a byte of it is read.
        var (declared, declaredResponse) = await SendHeadAsync($"Content-Length: {400L * 1024 * 1024}\r\n", chunked: false);
        Assert.True(declared == 413, declaredResponse);

        // Streamed in chunks without a length: refused once the limit is passed.
        var (streamed, streamedResponse) = await SendHeadAsync("Transfer-Encoding: chunked\r\n", chunked: true);
        Assert.True(streamed == 413, streamedResponse);
        Assert.DoesNotContain("   at ", streamedResponse, StringComparison.Ordinal);

        var rssAfter = ResidentMegabytes(fixture.Node.ProcessId);
        Assert.True(rssAfter - rssBefore < 150, $"RSS grew from {rssBefore} MB to {rssAfter} MB");
        using var created = await Client.CreateAsync("/input/after-big", body: "still", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("still", await Client.ReadAllAsync("/input/after-big", Ct));
        Assert.Equal("t", await Client.ReadAllAsync("/input/text", Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("X-Raft-Message-Type: RequestVote\r\n")]
    [InlineData("X-Raft-Message-Type: RequestVote\r\nX-Raft-Node-ID: nonsense\r\nX-Request-ID: 0123456789abcdef0123456789abcdef\r\n")]
    [InlineData("X-Raft-Message-Type: RequestVote\r\nX-Raft-Node-ID: {self}\r\nX-Request-ID: 0123456789abcdef0123456789abcdef\r\nX-Raft-Term: abc\r\n")]
    [InlineData("X-Raft-Message-Type: Resign\r\n")]
    [InlineData("X-Raft-Message-Type: AppendEntries\r\nX-Raft-Node-ID: {self}\r\nX-Request-ID: 0123456789abcdef0123456789abcdef\r\n")]
    [InlineData("X-Raft-Message-Type: NoSuchMessage\r\n")]
    public async Task Malformed_Raft_requests_get_400_with_a_short_body_and_no_stack_trace(string headers)
    {
        var self = ClusterMemberId.FromEndPoint(new UriEndPoint(new Uri(fixture.Node.BaseUrl, "/_ursula/raft")));
        var (status, response) = await RawHttp.SendAsync(
            fixture.Node.BaseUrl,
            $"POST /_ursula/raft HTTP/1.1\r\nAuthorization: Bearer {fixture.ClusterSecret}\r\n{headers.Replace("{self}", self.ToString(), StringComparison.Ordinal)}",
            "garbage"u8.ToArray(),
            Ct);
        Assert.True(status == 400, response);
        Assert.DoesNotContain("   at ", response, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", response, StringComparison.Ordinal);
        Assert.True(response.Length < 1000, response);
        using var health = await Client.GetAsync("/_ursula/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static byte[] Entry(Command command) => CommandCodec.Encode(0, [command]);

    private async Task EnsureStreamsAsync()
    {
        using var json = await Client.CreateAsync("/input/json", "application/json", "[{\"n\":1}]", Ct);
        using var text = await Client.CreateAsync("/input/text", body: "t", cancellationToken: Ct);
    }

    private async Task<HttpResponseMessage> SubmitAsync(byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, SubmitPath) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ursula-commands");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.ClusterSecret);
        return await Client.SendAsync(request, Ct);
    }

    /// <summary>Posts to the submit endpoint and sends up to 400 MB of body until the node answers; returns the answer's head.</summary>
    private async Task<(int Status, string Head)> SendHeadAsync(string framing, bool chunked)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Node.BaseUrl.Host, fixture.Node.BaseUrl.Port, Ct);
        await using var stream = client.GetStream();
        var head = $"POST {SubmitPath} HTTP/1.1\r\nHost: {fixture.Node.BaseUrl.Authority}\r\nAuthorization: Bearer {fixture.ClusterSecret}\r\n" +
            $"Content-Type: application/x-ursula-commands\r\n{framing}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        var chunk = new byte[1024 * 1024];
        var chunkHead = Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n");
        var clock = Stopwatch.StartNew();
        try
        {
            for (var sent = 0L; sent < 400L * 1024 * 1024 && client.Available == 0 && clock.Elapsed < TimeSpan.FromSeconds(60); sent += chunk.Length)
            {
                if (chunked)
                {
                    await stream.WriteAsync(chunkHead, Ct);
                }

                await stream.WriteAsync(chunk, Ct);
                if (chunked)
                {
                    await stream.WriteAsync("\r\n"u8.ToArray(), Ct);
                }
            }
        }
        catch (IOException)
        {
            // The node stopped reading: its answer is already on the way.
        }

        var answer = new StringBuilder();
        var buffer = new byte[4096];
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, Ct);
            if (read == 0)
            {
                break;
            }

            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var text = answer.ToString();
        return (RawHttp.StatusOf(text), text);
    }

    private static long ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
