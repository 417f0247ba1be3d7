// Raft membership of this node: the member URLs (each under the reserved /_ursula/raft path) and
// the one-time seeding of the persisted member list on a node's first start.
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using Microsoft.AspNetCore.Connections;

namespace Ursula.Server.Hosting;

public static class Membership
{
    public static Uri SelfUrl(NodeOptions node) => new((node.Advertise ?? $"http://{node.Listen}").TrimEnd('/'));

    public static Uri RaftEndpoint(Uri nodeUrl) => new($"{nodeUrl.GetLeftPart(UriPartial.Authority)}{Security.ClusterEndpoints.RaftPath}");

    public static IReadOnlyList<Uri> Members(NodeOptions node)
    {
        if (string.IsNullOrWhiteSpace(node.Cluster))
        {
            return [SelfUrl(node)];
        }

        return node.Cluster.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u.TrimEnd('/'), UriKind.Absolute, out var uri) ? uri : throw new OptionsValidationException($"--cluster has an invalid URL '{u}'"))
            .ToList();
    }

    /// <summary>Defaults for DotNext's member configuration; settings under "Raft" in configuration win.</summary>
    public static Dictionary<string, string?> RaftSettings(NodeOptions node, IConfiguration configuration)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["Raft:publicEndPoint"] = RaftEndpoint(SelfUrl(node)).ToString(),
            ["Raft:coldStart"] = "false",
            ["Raft:lowerElectionTimeout"] = "1000",
            ["Raft:upperElectionTimeout"] = "2000",
            // Raft messages are timed per kind by ClusterHttpHandlers (RaftMessageTimeout,
            // SnapshotTransferTimeout); DotNext's single RPC timeout only bounds them from above.
            ["Raft:rpcTimeout"] = "1.00:00:00",
            ["Raft:requestTimeout"] = "1.00:00:00",
            // A heartbeat every 200 ms (0.2 of the lower election timeout: five before a follower
            // gives up on its leader). Followers do not wait for one to learn a write's commit:
            // the next entry's round carries the commit, or the Sequencer starts one right after it.
            // At 0.1 the heartbeat was the largest share of an idle node's wake-ups.
            ["Raft:heartbeatThreshold"] = "0.2",
        };
        foreach (var key in defaults.Keys.ToList())
        {
            if (configuration[key] is not null && key != "Raft:publicEndPoint")
            {
                defaults.Remove(key);
            }
        }

        return defaults;
    }

    /// <summary>On a node's first start, writes the static member list (or just itself) to the member store.</summary>
    public static async Task SeedAsync(WebApplication app, NodeOptions node, CancellationToken cancellationToken)
    {
        if (node.Join)
        {
            // A joining node learns its members from the leader when it is added.
            return;
        }

        var self = RaftEndpoint(SelfUrl(node));
        var members = Members(node).Select(RaftEndpoint).ToList();
        if (!members.Contains(self))
        {
            throw new OptionsValidationException($"--cluster must include this node ({SelfUrl(node)}); use --advertise if it is reached under another name");
        }

        var storage = app.Services.GetRequiredService<IClusterConfigurationStorage<UriEndPoint>>();
        var configuration = await storage.LoadConfigurationAsync(cancellationToken);
        if (configuration.Members.Count > 0)
        {
            if (!configuration.Members.Any(m => m.Uri == self))
            {
                // Started under another URL than the one it joined with (--listen or --advertise
                // changed): the members do not know this address, so it will never take part.
                HostingLog.NotAMember(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ursula.Membership"), self.ToString(), string.Join(", ", configuration.Members.Select(m => m.Uri)));
            }

            return;
        }

        foreach (var member in members)
        {
            configuration = configuration.Add(new UriEndPoint(member));
        }

        await storage.SaveConfigurationAsync(configuration, 0L, cancellationToken);
        HostingLog.MembershipSeeded(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ursula.Membership"), string.Join(", ", members));
    }
}
