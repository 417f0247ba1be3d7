// SIGTERM to the leader of a three-node cluster under a steady load of appends through every node:
// the leader drains, hands leadership over (the others elect without waiting out a lost leader)
// and stops within its budget; every SSE reader on it ends cleanly with a control event; and once
// it is back, every acknowledged append is on every node.
using System.Diagnostics;
using Ursula.Tests.Operations;

namespace Ursula.Tests.Cluster;

public sealed class GracefulLeaderStopTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    [Fact]
    public async Task A_SIGTERM_to_the_leader_hands_over_loses_no_acknowledged_append_and_ends_its_SSE_readers_with_a_control_event()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        await using var load = new AppendLoad(Cluster.Urls, prefix: "/graceful-leader");
        await load.CreateStreamsAsync(Ct);
        var watchers = new List<SseWatcher>();
        foreach (var path in load.StreamPaths)
        {
            watchers.Add(await SseWatcher.StartAsync(new Uri(Cluster.Urls[leader], path), Ct));
        }

        load.Start();
        await load.WaitForAcknowledgedAsync(500, TimeSpan.FromSeconds(60), Ct);

        var clock = Stopwatch.StartNew();
        await Cluster[leader].StopAsync(TimeSpan.FromSeconds(60));
        var stoppedIn = clock.Elapsed;
        Log($"leader {leader} stopped in {stoppedIn.TotalSeconds:F1} s");
        Assert.True(stoppedIn < TimeSpan.FromSeconds(30), $"the stop took {stoppedIn}\n{Cluster[leader].Output}");
        Assert.Contains("Stopping: this leader resigned in term", Cluster[leader].Output, StringComparison.Ordinal);

        var newLeader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), Ct, followers);
        Log($"new leader {newLeader} after {clock.Elapsed.TotalSeconds:F1} s");
        await load.WaitForAcknowledgedAsync(load.TotalAcknowledged + 200, TimeSpan.FromSeconds(60), Ct);

        await Task.WhenAll(watchers.Select(w => w.Completion)).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        foreach (var watcher in watchers)
        {
            Assert.True(watcher.EndedCleanly && watcher.LastEvent == "control", $"an SSE reader: {watcher}");
            watcher.Dispose();
        }

        await Cluster.RestartAsync(leader, Ct);
        await load.StopAsync(TimeSpan.FromSeconds(60));
        Assert.True(load.Anomalies.Count == 0, string.Join('\n', load.Anomalies.Take(20)));
        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        var report = await AppendChecker.CheckAsync(load, Cluster.Urls, Ct);
        Log($"{load.Describe()}; {report}");
        Assert.True(report.Passed, report.ToString());
    }
}
