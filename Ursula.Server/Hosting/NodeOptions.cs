// Options of one node, bound from the configuration root (appsettings.json, URSULA_* environment
// variables, command-line flags; later sources win).
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Hosting;

public sealed class NodeOptions
{
    /// <summary>HOST:PORT the HTTP server listens on.</summary>
    [Required]
    public string Listen { get; set; } = "127.0.0.1:4437";

    /// <summary>Where the node keeps its Raft log and, when managed, its PostgreSQL.</summary>
    [Required]
    public string DataDir { get; set; } = "./data";

    /// <summary>An existing PostgreSQL (Npgsql connection string); empty runs a private one under DataDir.</summary>
    public string? Postgres { get; set; }

    /// <summary>Memory for recent records of all streams; older records are read from PostgreSQL.</summary>
    [Range(1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long HotTailBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Memory that records not yet in PostgreSQL may hold before new writes are refused with 503.</summary>
    [Range(16 * 1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long MaxUnflushedBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Log kept in the WAL behind the newest entry, so lagging followers catch up without a full snapshot.</summary>
    [Range(0, 64L * 1024 * 1024 * 1024)]
    public long WalRetainBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long a Raft vote request may go unanswered; keep it below the lower election timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan RaftVoteTimeout { get; set; } = TimeSpan.FromMilliseconds(750);

    /// <summary>
    /// How long an append or heartbeat may go with its peer neither reading more of it nor
    /// answering; keep it near the lower election timeout, since a new leader's first rounds can
    /// wait for the slowest peer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RaftMessageTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an append or heartbeat waits for a peer that stopped reading it but still answers a
    /// liveness probe (GET /_ursula/health/live): such a peer is busy, not gone, and failing the
    /// message would only resend it. A leader steps down when its messages to a majority fail in one
    /// round.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RaftBusyPeerLimit { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long sending a snapshot (a follower's whole state) to a follower may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SnapshotTransferTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Size of one Raft WAL chunk file; the WAL is truncated a whole chunk at a time.</summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public int WalChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>This node's URL as the other members reach it (default: http://LISTEN).</summary>
    public string? Advertise { get; set; }

    /// <summary>
    /// The local IP address this node's connections to other members (Raft, forwarding, admin
    /// relays) are made from; empty lets the operating system choose. For hosts with several
    /// addresses where the cluster's network is one of them.
    /// </summary>
    public string? SourceAddress { get; set; }

    /// <summary>
    /// Shared secret that the cluster endpoints require and nodes send to each other; empty on a
    /// lone node means the one generated into DATA_DIR/cluster-secret.
    /// </summary>
    public string? ClusterSecret { get; set; }

    /// <summary>Start with no member list and wait to be added to a running cluster by `members add`.</summary>
    public bool Join { get; set; }

    /// <summary>The URLs of every member of a static cluster, this node's included; empty for a single node.</summary>
    public string? Cluster { get; set; }

    public (string Host, int Port) ParseListen()
    {
        var colon = Listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(Listen.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new OptionsValidationException($"--listen must be HOST:PORT, got '{Listen}'");
        }

        return (Listen[..colon].Trim('[', ']'), port);
    }

    /// <summary>The parsed <see cref="SourceAddress"/>, null when unset.</summary>
    public System.Net.IPAddress? ParseSourceAddress() =>
        string.IsNullOrWhiteSpace(SourceAddress) ? null
            : System.Net.IPAddress.TryParse(SourceAddress.Trim('[', ']'), out var address) ? address
            : throw new OptionsValidationException($"--source-address must be an IP address of this host, got '{SourceAddress}'");

    public string FullDataDir => Path.GetFullPath(DataDir);
}

public sealed class OptionsValidationException(string message) : Exception(message);
