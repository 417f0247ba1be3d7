// A write may be committed and applied by the leader only once a majority has it on disk: the
// leader's apply writes it to PostgreSQL, and a node's WAL treats a committed entry as final. If a
// follower acknowledged appends before flushing them, a crash of the whole cluster would lose the
// entries on the followers while the old leader kept them as committed, applied and stored; the
// followers would then elect a leader without them, put other entries at their indexes, and the
// old leader's copy of the streams would never again match the others'. Here both followers'
// flushes are held while the leader takes writes, every node is killed, the followers come back
// first and take new writes, and only then does the old leader return.
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class MajorityLossTests(ClusterPostgres postgres) : FsyncGatedClusterTestBase(postgres)
{
    private static readonly TimeSpan HeldFor = TimeSpan.FromSeconds(2);
    [Fact]
    public async Task Entries_only_the_leader_had_on_disk_when_every_node_crashed_never_outlive_the_term_that_replaced_them()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), Ct);

        var before = (await Cluster.GetStatusAsync(leader, Ct)).AppliedIndex;
        foreach (var follower in followers)
        {
            Gates[follower].Close();
        }

        await Task.Delay(HeldFor, Ct);
        var applied = (await Cluster.GetStatusAsync(leader, Ct)).AppliedIndex;
        Log($"both followers' WAL flushes held for {HeldFor.TotalSeconds} s: the leader node {leader} went from applied index {before} to {applied}");
        Cluster.KillAll();
        foreach (var gate in Gates)
        {
            gate.Open();
        }

        // The followers alone: a majority that never had what was not flushed.
        await Task.WhenAll(followers.Select(f => Cluster.RestartAsync(f, Ct)));
        var newLeader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), Ct, among: followers);
        var acknowledged = load.TotalAcknowledged;
        await load.WaitForAcknowledgedAsync(acknowledged + 200, TimeSpan.FromSeconds(60), Ct);
        Log($"followers restarted, node {newLeader} leads them; {load.TotalAcknowledged - acknowledged} appends acknowledged without the old leader");

        await Cluster.RestartAsync(leader, Ct);
        await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), Ct);
        var via = load.AcknowledgedVia(leader);
        await WaitUntilAsync(() => load.AcknowledgedVia(leader) >= via + 50, TimeSpan.FromSeconds(30), "the old leader acknowledged appends again");
        await StopLoadAndCheckAsync(load);
    }
}
