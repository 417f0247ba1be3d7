// The PostgreSQL fault harness in a cluster: under a steady idempotent-producer load, the leader's
// (or a follower's) database has its backends terminated, is stopped for a few seconds, and refuses
// writes for a few seconds, one fault after another; the leader's server is also frozen (SIGSTOP of
// the postmaster and every backend) for a few seconds. After each fault the faulted node is killed
// and restarted, so it serves what its PostgreSQL holds; every load so far is then checked on every
// node, and at the end every node is restarted and checked again.
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class ClusterPostgresFaultTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private static readonly PostgresFault[] Faults = [PostgresFault.TerminateBackends, PostgresFault.Stop, PostgresFault.RefuseWrites];

    [Theory]
    [InlineData("leader")]
    [InlineData("follower")]
    public async Task Every_acknowledged_append_survives_each_PostgreSQL_fault_of_one_node_and_its_restart(string role)
    {
        var loads = new List<AppendLoad>();
        try
        {
            foreach (var fault in role == "leader" ? [.. Faults, PostgresFault.Stall] : Faults)
            {
                var (leader, followers) = await Cluster.GetRolesAsync(Ct);
                var victim = role == "leader" ? leader : followers[0];
                var load = new AppendLoad(Cluster.Urls, prefix: $"/pg-{fault.ToString().ToLowerInvariant()}");
                loads.Add(load);
                await load.CreateStreamsAsync(Ct);
                load.Start();
                await load.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), Ct);

                var failedFlushes = TestCluster.CountLines(Cluster[victim].Output, "to PostgreSQL failed");
                Log($"{fault} on the PostgreSQL of {role} node {victim}");
                await PostgresFaultInjector.InjectAsync(
                    fault,
                    Cluster.Databases[victim],
                    new PostgresServerControl(start => start ? Postgres.StartAsync(victim, Ct) : Postgres.StopAsync(victim, Ct), freeze => Postgres.Freeze(victim, freeze)),
                    () => Cluster.HealthAsync(victim, Ct),
                    Log,
                    Ct);
                var health = await PostgresFaultInjector.WaitForHealthAsync(() => Cluster.HealthAsync(victim, Ct), 200, Ct, TimeSpan.FromSeconds(30));
                Assert.Equal(200, health);
                // A stalled server fails nothing: the node's flush waits for it (the log shows how many processes were frozen).
                Assert.True(fault == PostgresFault.Stall || TestCluster.CountLines(Cluster[victim].Output, "to PostgreSQL failed") > failedFlushes, $"No flush of node {victim} failed: the fault did not reach it.");

                var via = load.AcknowledgedVia(victim);
                await WaitUntilAsync(() => load.AcknowledgedVia(victim) >= via + 100, TimeSpan.FromSeconds(30), $"node {victim} acknowledged appends after the fault");
                await load.StopAsync(TimeSpan.FromSeconds(45));
                Log($"{fault}: {load.Describe()}");
                Assert.True(load.Anomalies.Count == 0, string.Join('\n', load.Anomalies.Take(20)));

                // The faulted node serves what its own PostgreSQL holds.
                await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
                Cluster.Kill(victim);
                await Cluster.RestartAsync(victim, Ct);
                await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
                foreach (var done in loads)
                {
                    var report = await AppendChecker.CheckAsync(done, Cluster.Urls, Ct);
                    Log($"after restarting node {victim}: {done.StreamPaths[0]}..: {report}");
                    Assert.True(report.Passed, report.ToString());
                }
            }

            await StopLoadsAndCheckAsync(loads);
        }
        finally
        {
            foreach (var load in loads)
            {
                await load.DisposeAsync();
            }
        }
    }
}
