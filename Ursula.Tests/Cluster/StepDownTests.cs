// The old leader's step-down under the microscope. DotNext sets a node's new term in memory, then
// persists it (an fsync of the Raft node state), and only then leaves the leader state; a write
// sequenced in between used to be appended by a node that no longer led, under the NEW leader's
// term, at an index where the new leader has another entry. Raft's log matching then no longer
// holds: the new leader's next append finds a matching (index, term) and the old leader keeps that
// entry for good, so its copy of the streams ends up different from the others'. Here the old
// leader is frozen past the election timeout, writes queue up at it, and its flushes to disk are
// held as it thaws, which holds it inside that window for as long as the test likes.
using System.Diagnostics;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class StepDownTests(ClusterPostgres postgres) : FsyncGatedClusterTestBase(postgres)
{
    private static readonly TimeSpan HeldFor = TimeSpan.FromSeconds(2);
    [Fact]
    public async Task A_leader_stepping_down_while_it_persists_the_new_term_appends_nothing_under_that_term()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), Ct);
        var probes = new DirectProbes("/stepdown/direct", 24);
        var late = new DirectProbes("/stepdown/late", 12);
        await probes.CreateStreamAsync(Cluster.Urls[followers[0]], Ct);
        await late.CreateStreamAsync(Cluster.Urls[followers[0]], Ct);

        var frozenAt = Stopwatch.GetTimestamp();
        Cluster.Freeze(leader);
        var probing = probes.SendAsync(Cluster.Urls[leader], TimeSpan.FromSeconds(30), Ct);
        var newLeader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20), Ct, among: followers);
        var before = load.TotalAcknowledged;
        await load.WaitForAcknowledgedAsync(before + 200, TimeSpan.FromSeconds(30), Ct);
        Log($"leader node {leader} frozen; node {newLeader} elected and acknowledged {load.TotalAcknowledged - before} appends in the new term");

        // Thawed with its disk held: it learns the new term and blocks persisting it, while the
        // appends that waited in its sockets reach its sequencer.
        Gates[leader].Close();
        Cluster.Thaw(leader);
        await Task.Delay(300, Ct);
        var probingLate = late.SendAsync(Cluster.Urls[leader], TimeSpan.FromSeconds(30), Ct);
        await Task.Delay(HeldFor, Ct);
        var held = Gates[leader].HasHeldAFlush;
        Gates[leader].Open();
        var outcomes = (await probing).Concat(await probingLate).ToList();
        Log($"node {leader} thawed {Stopwatch.GetElapsedTime(frozenAt).TotalSeconds:F1} s after the freeze with its flushes held for {HeldFor.TotalSeconds} s (held one: {held}); appends sent to it: {string.Join(", ", outcomes.GroupBy(o => o.Result).Select(g => $"{g.Key} x{g.Count()}"))}");
        Assert.True(held, "The thawed node flushed nothing while its gate was closed: the seam did not engage.");

        await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20), Ct);
        var via = load.AcknowledgedVia(leader);
        await WaitUntilAsync(() => load.AcknowledgedVia(leader) >= via + 50, TimeSpan.FromSeconds(30), "the old leader acknowledged appends as a follower");
        await StopLoadAndCheckAsync(load);
        Log(await probes.CheckAsync(Cluster.Urls, Ct));
        Log(await late.CheckAsync(Cluster.Urls, Ct));
    }
}
