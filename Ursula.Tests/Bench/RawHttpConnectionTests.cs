// The append verb's raw HTTP/1.1 client: statuses, bodies stepped over (by length and chunked), a
// server's Connection: close, and appends that really land, against a node and a scripted server.
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ursula.Bench.Http;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Bench;

[Trait("Category", "Integration")]
public sealed class RawHttpConnectionTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    [Fact]
    public async Task Appends_land_in_order_and_an_error_body_is_stepped_over_on_the_same_connection()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = new Uri(fixture.Node.BaseUrl, $"/bench-raw/{Guid.NewGuid():N}");
        using var client = BenchHttp.Create(2, TimeSpan.FromSeconds(30));
        await StreamApi.CreateAsync(client, url.ToString(), "text/plain", ct);
        using var connection = new RawHttpConnection(url.Host, url.Port);

        var expected = new StringBuilder();
        for (var i = 0; i < 50; i++)
        {
            var line = $"line {i}\n";
            expected.Append(line);
            Assert.Equal(204, await connection.SendAsync(RawHttpConnection.EncodePost(url, Encoding.UTF8.GetBytes(line), "text/plain"), ct));
        }

        // A missing stream is answered 404 with a problem body; the next request on the same
        // connection must still be read correctly.
        var missing = new Uri(fixture.Node.BaseUrl, $"/bench-raw/{Guid.NewGuid():N}");
        Assert.Equal(404, await connection.SendAsync(RawHttpConnection.EncodePost(missing, "x"u8, "text/plain"), ct));
        Assert.Equal(204, await connection.SendAsync(RawHttpConnection.EncodePost(url, "last\n"u8, "text/plain"), ct));
        expected.Append("last\n");

        var body = await client.GetStringAsync(url + "?offset=-1", ct);
        Assert.Equal(expected.ToString(), body);
    }

    [Fact]
    public async Task Chunked_bodies_are_read_through_and_a_closing_server_gets_a_new_connection()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = Listen(out var port);
        var accepted = 0;
        var server = Task.Run(async () =>
        {
            // First connection: a chunked 200 (with an extension and a trailer), then 503 with
            // Connection: close. Second connection: 204.
            using (var first = await listener.AcceptTcpClientAsync(ct))
            {
                accepted++;
                var stream = first.GetStream();
                await ReadRequestAsync(stream, ct);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n3\r\n ok\r\n0\r\nX-Trailer: 1\r\n\r\n"u8.ToArray(), ct);
                await ReadRequestAsync(stream, ct);
                await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"u8.ToArray(), ct);
            }

            using var second = await listener.AcceptTcpClientAsync(ct);
            accepted++;
            var again = second.GetStream();
            await ReadRequestAsync(again, ct);
            await again.WriteAsync("HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray(), ct);
        }, ct);

        using var connection = new RawHttpConnection("127.0.0.1", port);
        var request = RawHttpConnection.EncodePost(new Uri($"http://127.0.0.1:{port}/s"), "payload"u8, "text/plain");
        Assert.Equal(200, await connection.SendAsync(request, ct));
        Assert.Equal(503, await connection.SendAsync(request, ct));
        Assert.Equal(204, await connection.SendAsync(request, ct));
        await server.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(2, accepted);
    }

    [Fact]
    public async Task A_server_that_hangs_up_mid_answer_fails_the_request_and_the_next_one_reconnects()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = Listen(out var port);
        var server = Task.Run(async () =>
        {
            using (var first = await listener.AcceptTcpClientAsync(ct))
            {
                var stream = first.GetStream();
                await ReadRequestAsync(stream, ct);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"u8.ToArray(), ct);
            }

            using var second = await listener.AcceptTcpClientAsync(ct);
            var again = second.GetStream();
            await ReadRequestAsync(again, ct);
            await again.WriteAsync("HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray(), ct);
        }, ct);

        using var connection = new RawHttpConnection("127.0.0.1", port);
        var request = RawHttpConnection.EncodePost(new Uri($"http://127.0.0.1:{port}/s"), "payload"u8, "text/plain");
        await Assert.ThrowsAsync<IOException>(async () => await connection.SendAsync(request, ct));
        Assert.Equal(204, await connection.SendAsync(request, ct));
        await server.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    private static TcpListener Listen(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    /// <summary>Reads one request with a Content-Length body (what EncodePost sends).</summary>
    private static async Task ReadRequestAsync(NetworkStream stream, CancellationToken ct)
    {
        var seen = new List<byte>();
        var one = new byte[1];
        while (seen.Count < 4 || !seen.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                throw new IOException("client closed");
            }

            seen.Add(one[0]);
        }

        var head = Encoding.ASCII.GetString(seen.ToArray());
        var length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim());
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, ct);
    }
}
