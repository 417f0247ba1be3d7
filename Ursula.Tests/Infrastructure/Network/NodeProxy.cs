// The proxy in front of one node: accepts the other members' connections on its own loopback port
// and relays each to the node's port, a pump per direction, each pump obeying the link of its
// direction at every chunk.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ursula.Tests.Infrastructure.Network;

internal sealed class NodeProxy : IAsyncDisposable
{
    private readonly int node;
    private readonly FaultyNetwork network;
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<Relay, byte> relays = new();
    private Task accepting = Task.CompletedTask;
    private long droppedBytes;

    public NodeProxy(int node, FaultyNetwork network)
    {
        this.node = node;
        this.network = network;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public long DroppedBytes => Interlocked.Read(ref droppedBytes);

    public void Start(int nodePort) => accepting = AcceptAsync(nodePort);

    /// <summary>Closes every relay that dropped bytes: its HTTP stream lost data and cannot go on.</summary>
    public void ResetDamaged()
    {
        foreach (var relay in relays.Keys.Where(r => r.Damaged))
        {
            relay.Close();
        }
    }

    private async Task AcceptAsync(int nodePort)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptSocketAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(accepted, nodePort);
        }
    }

    private async Task RelayAsync(Socket client, int nodePort)
    {
        var peer = network.PeerOf(((IPEndPoint)client.RemoteEndPoint!).Address);
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        var relay = new Relay(client, upstream);
        relays[relay] = 0;
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, nodePort), stopping.Token);
            var toNode = PumpAsync(relay, client, upstream, network.LinkBetween(peer, node));
            var fromNode = PumpAsync(relay, upstream, client, network.LinkBetween(node, peer));
            await Task.WhenAny(toNode, fromNode);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            relay.Close();
            relays.TryRemove(relay, out _);
        }
    }

    private async Task PumpAsync(Relay relay, Socket from, Socket to, FaultyNetwork.Link link)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, stopping.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (link.DelayMs > 0)
                {
                    await Task.Delay(link.DelayMs, stopping.Token);
                }

                if (link.Cut || relay.Damaged)
                {
                    // Once a relay has lost bytes its stream is garbage: drop the rest too.
                    relay.Damaged = true;
                    Interlocked.Add(ref droppedBytes, read);
                    continue;
                }

                for (var sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, stopping.Token);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        foreach (var relay in relays.Keys)
        {
            relay.Close();
        }

        await accepting;
        stopping.Dispose();
    }

    private sealed class Relay(Socket client, Socket upstream)
    {
        private volatile bool damaged;
        private int closed;

        public bool Damaged
        {
            get => damaged;
            set => damaged = value;
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref closed, 1) == 0)
            {
                client.Dispose();
                upstream.Dispose();
            }
        }
    }
}
