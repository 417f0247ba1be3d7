// Logs every change of leader this node sees (ReplicationLog.LeaderChanged, Information) and
// counts it in ursula_raft_leader_changes_total: an operator reads elections from the log alone.
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using Ursula.Server.Diagnostics;
using Ursula.Server.Replication;

namespace Ursula.Server.Hosting.Observability;

internal sealed class LeadershipLogger(IRaftCluster cluster, ILogger<LeadershipLogger> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cluster.LeaderChanged += OnLeaderChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        cluster.LeaderChanged -= OnLeaderChanged;
        return Task.CompletedTask;
    }

    private void OnLeaderChanged(ICluster sender, IClusterMember? leader)
    {
        UrsulaMetrics.LeaderChanges.Add(1);
        ReplicationLog.LeaderChanged(logger, leader is null ? "(none)" : NodeUrls.FromRaftEndpoint(leader.EndPoint), cluster.Term);
    }
}
