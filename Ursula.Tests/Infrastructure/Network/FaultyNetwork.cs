// The network between the nodes of a test cluster, under the test's control. Each node listens on
// its own port and advertises the port of a proxy in front of it, so every Raft message, forwarded
// command and admin relay goes through a proxy; each node makes its connections from an address of
// its own (--source-address 127.0.0.11, .12, ...: all of 127.0.0.0/8 is local on Linux), so a proxy
// knows which peer a connection comes from. A directed link (from, to) carries the bytes node
// `from` sends to node `to` (its requests to `to`, and its answers to requests of `to`); a link can
// be cut (bytes are dropped without a word, as by a firewall's DROP, so the sender times out) or
// slowed by a delay per chunk. Healing a cut link resets the connections that lost bytes, as TCP
// would after a long outage. Clients of the tests talk to the nodes' own ports, never faulted.
using System.Net;

namespace Ursula.Tests.Infrastructure.Network;

public sealed class FaultyNetwork : IAsyncDisposable
{
    private const int FirstSourceOctet = 11;
    private readonly Link[,] links;
    private readonly NodeProxy[] proxies;

    public FaultyNetwork(int nodes)
    {
        links = new Link[nodes, nodes];
        for (var from = 0; from < nodes; from++)
        {
            for (var to = 0; to < nodes; to++)
            {
                links[from, to] = new Link();
            }
        }

        proxies = Enumerable.Range(0, nodes).Select(i => new NodeProxy(i, this)).ToArray();
    }

    public int Count => proxies.Length;

    /// <summary>The address node <paramref name="node"/> makes its connections from.</summary>
    public static IPAddress SourceAddress(int node) => IPAddress.Parse($"127.0.0.{FirstSourceOctet + node}");

    /// <summary>The port the others reach node <paramref name="node"/> at (its proxy's).</summary>
    public int ProxyPort(int node) => proxies[node].Port;

    /// <summary>Starts forwarding node <paramref name="node"/>'s proxy to the port the node listens on.</summary>
    public void Start(int node, int nodePort) => proxies[node].Start(nodePort);

    /// <summary>The node whose source address <paramref name="remote"/> is, or -1 for anyone else.</summary>
    internal int PeerOf(IPAddress remote)
    {
        var bytes = remote.MapToIPv4().GetAddressBytes();
        var index = bytes[3] - FirstSourceOctet;
        return bytes[0] == 127 && bytes[1] == 0 && bytes[2] == 0 && index >= 0 && index < Count ? index : -1;
    }

    internal Link LinkBetween(int from, int to) => from < 0 || to < 0 ? Link.Unfaulted : links[from, to];

    /// <summary>Drops everything <paramref name="from"/> sends to <paramref name="to"/> (one way).</summary>
    public void Cut(int from, int to) => links[from, to].Cut = true;

    /// <summary>Cuts both directions between the two nodes.</summary>
    public void CutBoth(int a, int b)
    {
        Cut(a, b);
        Cut(b, a);
    }

    /// <summary>Cuts every link between <paramref name="node"/> and the others, both ways.</summary>
    public void Isolate(int node)
    {
        for (var other = 0; other < Count; other++)
        {
            if (other != node)
            {
                CutBoth(node, other);
            }
        }
    }

    /// <summary>Cuts every link between the two sides, both ways.</summary>
    public void Partition(IReadOnlyCollection<int> side)
    {
        foreach (var a in side)
        {
            foreach (var b in Enumerable.Range(0, Count).Except(side))
            {
                CutBoth(a, b);
            }
        }
    }

    /// <summary>Adds <paramref name="delay"/> to every chunk <paramref name="from"/> sends to <paramref name="to"/>.</summary>
    public void Slow(int from, int to, TimeSpan delay) => links[from, to].DelayMs = (int)delay.TotalMilliseconds;

    /// <summary>Every link up and undelayed; connections that lost bytes while cut are reset.</summary>
    public void HealAll()
    {
        foreach (var link in links)
        {
            link.Cut = false;
            link.DelayMs = 0;
        }

        foreach (var proxy in proxies)
        {
            proxy.ResetDamaged();
        }
    }

    /// <summary>Bytes dropped so far on cut links, for the test's log.</summary>
    public long DroppedBytes => proxies.Sum(p => p.DroppedBytes);

    public string Describe()
    {
        var cut = new List<string>();
        for (var from = 0; from < Count; from++)
        {
            for (var to = 0; to < Count; to++)
            {
                if (links[from, to].Cut)
                {
                    cut.Add($"{from}->{to}");
                }
                else if (links[from, to].DelayMs > 0)
                {
                    cut.Add($"{from}->{to} +{links[from, to].DelayMs} ms");
                }
            }
        }

        return cut.Count == 0 ? "all links up" : $"faulted: {string.Join(", ", cut)}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in proxies)
        {
            await proxy.DisposeAsync();
        }
    }

    internal sealed class Link
    {
        public static readonly Link Unfaulted = new();

        private volatile bool cut;
        private volatile int delayMs;

        public bool Cut
        {
            get => cut;
            set => cut = value;
        }

        public int DelayMs
        {
            get => delayMs;
            set => delayMs = value;
        }
    }
}
