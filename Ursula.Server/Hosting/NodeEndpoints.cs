// The node's own endpoints under /_ursula: health and cluster status.
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Http;
using Npgsql;
using Ursula.Server.Replication.Archiving;
using Ursula.Server.State;
using Ursula.Server.State.Postgres;

namespace Ursula.Server.Hosting;

public static class NodeEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", HealthAsync);
        endpoints.MapGet("/cluster", Cluster);
        ForwardingEndpoint.Map(endpoints);
        AdminEndpoints.Map(endpoints);
    }

    private static async Task<IResult> HealthAsync(NpgsqlDataSource dataSource, StorageHealth storage, PostgresSnapshots snapshots, StreamCatalog catalog, IRaftCluster cluster, HotCeiling ceiling, ArchiveStatus archive, CancellationToken cancellationToken)
    {
        string? problem = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            problem = $"PostgreSQL unreachable: {e.Message}";
        }

        if (problem is null && !storage.IsHealthy)
        {
            problem = $"PostgreSQL rejects writes: {storage.LastError}";
        }

        if (problem is null && snapshots.IsInstalling)
        {
            problem = "Catching up: installing a snapshot of the leader's state";
        }

        if (problem is null && ceiling.IsReached)
        {
            problem = $"{ceiling.Reason}; writes are refused until it catches up";
        }

        var leader = cluster.Leader?.EndPoint.ToString();
        var body = new HealthReport(problem is null ? "ok" : "unavailable", problem, leader is not null, catalog.AppliedIndex, catalog.StreamCount)
        {
            Archive = new ArchiveHealth(catalog.HotBytes, archive.ObjectsWritten, archive.RangesArchived, archive.ObjectsCompacted, archive.IsFailing ? archive.LastError : null),
        };
        return problem is null ? Results.Json(body, HostingJsonContext.Default.HealthReport) : Results.Json(body, HostingJsonContext.Default.HealthReport, statusCode: 503);
    }

    private static IResult Cluster(IRaftHttpCluster http, IRaftCluster cluster, StreamCatalog catalog, PostgresSnapshots snapshots)
    {
        var isLeader = !cluster.LeadershipToken.IsCancellationRequested;
        var leader = cluster.Leader?.EndPoint;
        var status = new ClusterStatus(
            Self: NodeUrls.FromRaftEndpoint(http.LocalMemberAddress),
            Role: isLeader ? "leader" : leader is null ? "candidate" : "follower",
            Leader: leader is null ? null : NodeUrls.FromRaftEndpoint(leader),
            Term: cluster.AuditTrail.Term,
            CommitIndex: cluster.AuditTrail.LastCommittedEntryIndex,
            AppliedIndex: catalog.AppliedIndex,
            DurableIndex: snapshots.FlushedIndex,
            Members: cluster.Members.Select(m => new ClusterMemberStatus(NodeUrls.FromRaftEndpoint(m.EndPoint), m.IsLeader, !m.IsRemote, m.Status.ToString().ToLowerInvariant())).ToList());
        return Results.Json(status, HostingJsonContext.Default.ClusterStatus);
    }
}
