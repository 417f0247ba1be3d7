using System.Diagnostics;

namespace Ursula.Tests.Cluster;

public sealed class LeaderFailureTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    // "Within a few seconds": an election takes 1-2 s (Raft:lowerElectionTimeout..upperElectionTimeout)
    // plus a vote round; the bound leaves room for a busy two-core machine, the figure is in the output.
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(10);

    // Requests already waiting on a frozen node (or on followers forwarding to it) only fail over when
    // they time out, so writes resume later than after a kill.
    private static readonly TimeSpan FrozenFailoverLimit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan FrozenFor = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Writes_resume_within_seconds_after_the_leader_is_killed_and_no_acknowledged_append_is_lost_or_duplicated()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(400, TimeSpan.FromSeconds(30), Ct);

        var killedAt = Stopwatch.GetTimestamp();
        Cluster.Kill(leader);
        var first = await load.WaitForAcknowledgementSentAfterAsync(killedAt, TimeSpan.FromSeconds(30), Ct);
        var failover = Stopwatch.GetElapsedTime(killedAt, first.Acknowledged);
        var newLeader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10), Ct);
        Log($"failover: first append sent after the SIGKILL of leader node {leader} acknowledged {failover.TotalMilliseconds:F0} ms after the kill (via node {first.Node}); new leader node {newLeader}");
        Assert.Contains(newLeader, followers);
        Assert.True(failover < FailoverLimit, $"Writes resumed only {failover.TotalMilliseconds:F0} ms after the leader was killed.");

        // Steady writes through the two survivors, then the old leader rejoins on its old data.
        await load.WaitForAcknowledgedAsync(load.TotalAcknowledged + 300, TimeSpan.FromSeconds(30), Ct);
        var restart = Stopwatch.StartNew();
        await Cluster.RestartAsync(leader, Ct);
        Log($"old leader node {leader} healthy again {restart.Elapsed.TotalMilliseconds:F0} ms after its restart");
        var viaOldLeader = load.AcknowledgedVia(leader);
        await WaitUntilAsync(() => load.AcknowledgedVia(leader) >= viaOldLeader + 50, TimeSpan.FromSeconds(30), "the restarted node acknowledged appends");

        await StopLoadAndCheckAsync(load);
    }

    [Fact]
    public async Task A_leader_frozen_past_the_election_timeout_acknowledges_nothing_the_new_term_does_not_keep()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var oldTerm = (await Cluster.GetStatusAsync(leader, Ct)).Term;
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(400, TimeSpan.FromSeconds(30), Ct);
        var probes = new DirectProbes("/frozen/direct", 8);
        await probes.CreateStreamAsync(Cluster.Urls[followers[0]], Ct);

        var frozenAt = Stopwatch.GetTimestamp();
        Cluster.Freeze(leader);

        // Appends sent straight to the frozen leader wait in its socket buffers: on SIGCONT it still
        // believes it leads. Whatever it acknowledges must be in the new term's log.
        var probing = probes.SendAsync(Cluster.Urls[leader], TimeSpan.FromSeconds(30), Ct);

        var newLeader = await Cluster.WaitForLeaderAsync(FrozenFailoverLimit, Ct, among: followers);
        var elected = Stopwatch.GetElapsedTime(frozenAt);
        var first = await load.WaitForAcknowledgementSentAfterAsync(frozenAt, TimeSpan.FromSeconds(30), Ct);
        var resumed = Stopwatch.GetElapsedTime(frozenAt, first.Acknowledged);
        Log($"leader node {leader} frozen: node {newLeader} elected within {elected.TotalMilliseconds:F0} ms, first append sent after the freeze acknowledged after {resumed.TotalMilliseconds:F0} ms");
        Assert.True(resumed < FrozenFailoverLimit, $"Writes resumed only {resumed.TotalMilliseconds:F0} ms after the leader froze.");

        // Frozen for well past the election timeout (Raft:lowerElectionTimeout..upperElectionTimeout),
        // with the new term taking writes.
        var remaining = FrozenFor - Stopwatch.GetElapsedTime(frozenAt);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, Ct);
        }

        Cluster.Thaw(leader);
        var outcomes = await probing;
        Log($"appends sent to the frozen leader: {string.Join(", ", outcomes.Select(o => o.Result))}");
        var agreed = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(15), Ct);
        var status = await Cluster.GetStatusAsync(leader, Ct);
        Assert.True(status.Term > oldTerm, $"The old leader is still in term {status.Term}: {status}");
        Log($"after the thaw all nodes follow node {agreed} in term {status.Term} (was {oldTerm})");

        var viaOldLeader = load.AcknowledgedVia(leader);
        await WaitUntilAsync(() => load.AcknowledgedVia(leader) >= viaOldLeader + 50, TimeSpan.FromSeconds(30), "the thawed node acknowledged appends");
        await StopLoadAndCheckAsync(load);

        // Every probe the thawed node acknowledged is in the log, once; the others at most once.
        Log(await probes.CheckAsync(Cluster.Urls, Ct));
    }
}
