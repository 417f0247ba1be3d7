// A slow hub subscriber: a raw WebSocket speaking the SignalR JSON protocol that subscribes and
// then takes only 64 KiB every 50 ms (about 1.3 MB/s) from its socket until told to read at full speed, so the
// server's writes to it back up into the kernel's buffers and then into the server. (A client that
// takes nothing at all for longer than the hub's send timeout (Hub:SendTimeout, 60 s) is disconnected
// instead, and resumes from its last nextOffset like any reconnecting client.) It sends pings so
// that the server does not take it for dead.
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Ursula.Tests.Hub;

public sealed class SlowSubscriber : IAsyncDisposable
{
    private const byte Separator = 0x1e;
    private readonly ClientWebSocket socket = new();
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationTokenSource trickle = new();
    private readonly MemoryStream received = new();
    private Task? pinger;
    private Task? trickler;

    public List<JsonElement> Items { get; } = [];

    public bool Completed { get; private set; }

    public string? Error { get; private set; }

    public static async Task<SlowSubscriber> SubscribeAsync(Uri node, string path, CancellationToken cancellationToken)
    {
        var subscriber = new SlowSubscriber();
        subscriber.socket.Options.SetBuffer(64 * 1024, 4 * 1024);
        var url = new UriBuilder(HubClients.HubUrl(node)) { Scheme = "ws" }.Uri;
        await subscriber.socket.ConnectAsync(url, cancellationToken);
        await subscriber.SendAsync("{\"protocol\":\"json\",\"version\":1}", cancellationToken);
        await subscriber.ReceiveAsync(16 * 1024, cancellationToken); // the handshake's answer
        subscriber.received.SetLength(0);
        await subscriber.SendAsync($"{{\"type\":4,\"invocationId\":\"1\",\"target\":\"Subscribe\",\"arguments\":[{JsonSerializer.Serialize(path)},\"-1\"]}}", cancellationToken);
        subscriber.pinger = subscriber.PingAsync();
        subscriber.trickler = subscriber.TrickleAsync();
        return subscriber;
    }

    /// <summary>Reads at full speed until <paramref name="done"/> holds for the items so far or the subscription ends.</summary>
    public async Task ReadUntilAsync(Func<IReadOnlyList<JsonElement>, bool> done, CancellationToken cancellationToken)
    {
        await trickle.CancelAsync();
        await trickler!;
        while (true)
        {
            TakeMessages();
            if (done(Items) || Completed)
            {
                return;
            }

            await ReceiveAsync(64 * 1024, cancellationToken);
        }
    }

    private void TakeMessages()
    {
        var consumed = 0;
        while (received.GetBuffer().AsSpan(consumed, (int)received.Length - consumed).IndexOf(Separator) is var end and >= 0)
        {
            using var parsed = JsonDocument.Parse(received.GetBuffer().AsMemory(consumed, end));
            consumed += end + 1;
            var root = parsed.RootElement;
            switch (root.GetProperty("type").GetInt32())
            {
                case 2:
                    Items.Add(root.GetProperty("item").Clone());
                    break;
                case 3:
                    Completed = true;
                    Error = root.TryGetProperty("error", out var error) ? error.GetString() : null;
                    break;
                case 7:
                    throw new InvalidOperationException($"The server closed the connection: {root}");
            }
        }

        var rest = received.GetBuffer().AsSpan(consumed, (int)received.Length - consumed).ToArray();
        received.SetLength(0);
        received.Write(rest);
    }

    private async Task ReceiveAsync(int most, CancellationToken cancellationToken)
    {
        var buffer = new byte[most];
        var result = await socket.ReceiveAsync(buffer, cancellationToken);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            throw new InvalidOperationException("The server closed the WebSocket.");
        }

        received.Write(buffer, 0, result.Count);
    }

    private async Task TrickleAsync()
    {
        // Only the pause between reads is cancelled: cancelling a pending WebSocket receive aborts
        // the socket, and a receive is pending whenever the subscriber has caught up with the
        // writes. A receive in flight when the trickle stops ends with the next message (data, or
        // the server's keep-alive ping within 15 s).
        try
        {
            while (!trickle.IsCancellationRequested)
            {
                await Task.Delay(50, trickle.Token);
                await ReceiveAsync(64 * 1024, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task SendAsync(string message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message + (char)Separator), WebSocketMessageType.Text, true, cancellationToken);

    private async Task PingAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
                await SendAsync("{\"type\":6}", stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            // Stopped, or the connection ended: reading reports that.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await trickle.CancelAsync();
        await Task.WhenAll(new[] { pinger, trickler }.OfType<Task>());
        socket.Abort();
        socket.Dispose();
        stop.Dispose();
        trickle.Dispose();
        received.Dispose();
    }
}
