using System.Diagnostics;

namespace Ursula.Tests.Cluster;

public sealed class FollowerPostgresOutageTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    // No log retention: the returning follower is likely to need a snapshot while it still holds
    // a batch it failed to write, the case that once left it failing forever. It is also the case
    // where a follower could chase the leader from snapshot to snapshot, the log it needs after each
    // one already truncated, unless the leader keeps its log for a while after sending one.
    protected override IReadOnlyList<string> ExtraNodeArguments => ["--wal-retain-bytes", "0"];

    [Fact]
    public async Task The_cluster_keeps_taking_writes_while_one_followers_postgres_is_down_and_that_follower_recovers_when_it_returns()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var (victim, other) = (followers[0], followers[1]);
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), Ct);

        await Postgres.StopAsync(victim, Ct);
        var unhealthy = await WaitUntilAsync(async () => await Cluster.HealthAsync(victim, Ct) == 503, TimeSpan.FromSeconds(15), $"node {victim} reports 503 on /_ursula/health");
        Log($"PostgreSQL of follower node {victim} stopped; its health answered 503 after {unhealthy.TotalMilliseconds:F0} ms");

        var (viaLeader, viaOther, viaVictim) = (load.AcknowledgedVia(leader), load.AcknowledgedVia(other), load.AcknowledgedVia(victim));
        var outage = Stopwatch.StartNew();
        await WaitUntilAsync(
            () => load.AcknowledgedVia(leader) >= viaLeader + 200 && load.AcknowledgedVia(other) >= viaOther + 200,
            TimeSpan.FromSeconds(30), "the leader and the healthy follower acknowledged 200 appends each");
        // The outage lasts a few seconds whatever the write rate, and the node stays reported unavailable.
        await Task.Delay(TimeSpan.FromSeconds(3) - outage.Elapsed is var rest && rest > TimeSpan.Zero ? rest : TimeSpan.Zero, Ct);
        Assert.Equal(503, await Cluster.HealthAsync(victim, Ct));
        Log($"during {outage.Elapsed.TotalSeconds:F1} s without PostgreSQL on node {victim}: {load.AcknowledgedVia(leader) - viaLeader} appends acknowledged via the leader, {load.AcknowledgedVia(other) - viaOther} via the healthy follower, {load.AcknowledgedVia(victim) - viaVictim} via node {victim}");

        await Postgres.StartAsync(victim, Ct);
        var recovered = await WaitUntilAsync(async () => await Cluster.HealthAsync(victim, Ct) == 200, TimeSpan.FromSeconds(30), $"node {victim} reports 200 on /_ursula/health");
        Log($"PostgreSQL of node {victim} started again; health answered 200 after {recovered.TotalMilliseconds:F0} ms");

        var afterRecovery = load.AcknowledgedVia(victim);
        await WaitUntilAsync(() => load.AcknowledgedVia(victim) >= afterRecovery + 50, TimeSpan.FromSeconds(30), $"node {victim} acknowledged appends again");
        await StopLoadAndCheckAsync(load);
        for (var node = 0; node < TestCluster.Size; node++)
        {
            Assert.True(Cluster.SnapshotInstalls(node) <= 2, $"node {node} installed {Cluster.SnapshotInstalls(node)} snapshots: it chased the leader's log from snapshot to snapshot");
        }
    }
}
