using System.Diagnostics;

namespace Ursula.Tests.Cluster;

public sealed class WholeClusterRestartTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    [Fact]
    public async Task Killing_all_three_nodes_at_once_and_starting_them_again_keeps_every_acknowledged_append()
    {
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(500, TimeSpan.FromSeconds(30), Ct);

        var killedAt = Stopwatch.GetTimestamp();
        Cluster.KillAll();
        var acknowledgedBeforeKill = load.TotalAcknowledged;
        var highestBeforeKill = Enumerable.Range(0, load.Writers).Select(load.HighestAcknowledged).ToArray();
        Log($"all nodes killed with SIGKILL after {acknowledgedBeforeKill} acknowledged appends");

        await Task.WhenAll(Enumerable.Range(0, TestCluster.Size).Select(i => Cluster.RestartAsync(i, Ct)));
        var healthy = Stopwatch.GetElapsedTime(killedAt);
        var leader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), Ct);
        var first = await load.WaitForAcknowledgementSentAfterAsync(killedAt, TimeSpan.FromSeconds(30), Ct);
        Log($"restart: all nodes healthy {healthy.TotalMilliseconds:F0} ms after the kill, leader node {leader}, first append acknowledged {Stopwatch.GetElapsedTime(killedAt, first.Acknowledged).TotalMilliseconds:F0} ms after the kill");

        await load.WaitForAcknowledgedAsync(load.TotalAcknowledged + 300, TimeSpan.FromSeconds(30), Ct);
        await StopLoadAndCheckAsync(load);
        for (var w = 0; w < load.Writers; w++)
        {
            Assert.True(load.HighestAcknowledged(w) >= highestBeforeKill[w]);
        }
    }
}
