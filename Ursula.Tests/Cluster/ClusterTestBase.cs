// Each cluster test gets a fresh three-node cluster (fresh databases, fresh data directories) and
// tears it down afterwards, failed or not; a failed test also gets the nodes' last log lines.
using System.Diagnostics;

namespace Ursula.Tests.Cluster;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public abstract class ClusterTestBase(ClusterPostgres postgres) : IAsyncLifetime
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TestCluster? cluster;

    protected ClusterPostgres Postgres => postgres;

    protected TestCluster Cluster => cluster ?? throw new InvalidOperationException("The cluster has not started.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Flags for every node of this class's clusters, on top of <see cref="TestCluster.NodeArguments"/>.</summary>
    protected virtual IReadOnlyList<string> ExtraNodeArguments => [];

    /// <summary>Whether this class's clusters talk among themselves through a FaultyNetwork (Cluster.Network).</summary>
    protected virtual bool FaultyNetwork => false;

    /// <summary>Extra environment variables for node <c>i</c> of this class's clusters.</summary>
    protected virtual IReadOnlyDictionary<string, string> NodeEnvironment(int node) => new Dictionary<string, string>();

    public async ValueTask InitializeAsync()
    {
        cluster = await TestCluster.StartAsync(postgres, GetType().Name.Replace("Tests", string.Empty, StringComparison.Ordinal), ExtraNodeArguments, Ct, NodeEnvironment, FaultyNetwork);
        Log($"cluster of {TestCluster.Size} nodes up after {clock.Elapsed.TotalSeconds:F1} s ({cluster.StartupReport}): {string.Join(", ", cluster.Urls)}");
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            var failed = TestContext.Current.TestState?.Result is not TestResult.Passed;
            if (failed || Environment.GetEnvironmentVariable("URSULA_KEEP_CLUSTER_LOGS") == "1")
            {
                // Kept for a post-mortem: the data directories go, the logs stay.
                var logs = Path.Combine(Path.GetTempPath(), "ursula-cluster-logs", $"{TestContext.Current.TestMethod?.MethodName ?? GetType().Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
                cluster.SaveLogs(logs);
                if (failed)
                {
                    await cluster.SaveStoredStateAsync(logs);
                }

                Log($"node logs saved in {logs}");
                if (failed)
                {
                    Log(cluster.DescribeLogs(linesPerNode: 40));
                }
            }

            await cluster.DisposeAsync();
        }

        // A test that stopped or froze a node's PostgreSQL and failed before healing it leaves it to us.
        for (var i = 0; i < ClusterPostgres.Count; i++)
        {
            postgres.Freeze(i, false);
            await postgres.EnsureRunningAsync(i, CancellationToken.None);
        }

        GC.SuppressFinalize(this);
    }

    protected void Log(string line)
    {
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F1} s] {line}");
        }
        catch (InvalidOperationException)
        {
            // No test is running (a fixture's own work).
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds.</summary>
    protected static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(50, Ct);
        }

        return waited.Elapsed;
    }

    protected static Task<TimeSpan> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>
    /// Stops the load (its writers' last appends acknowledged), waits for the nodes to converge with
    /// everything in PostgreSQL, restarts every node (SIGKILL, so nothing is flushed on the way out)
    /// so that reads come from storage rather than memory, and checks every stream on every node.
    /// </summary>
    protected async Task StopLoadAndCheckAsync(AppendLoad load) => await StopLoadsAndCheckAsync([load]);

    protected async Task StopLoadsAndCheckAsync(IReadOnlyList<AppendLoad> loads)
    {
        foreach (var load in loads.Where(l => !l.Drained))
        {
            await load.StopAsync(TimeSpan.FromSeconds(45));
            Log($"load: {load.Describe()}");
        }

        var converged = await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        Log($"converged at log index {converged.Values.First().AppliedIndex} (term {converged.Values.First().Term}); snapshots installed from the leader: {string.Join(", ", Enumerable.Range(0, TestCluster.Size).Select(i => $"node {i}: {Cluster.SnapshotInstalls(i)}"))}");
        foreach (var load in loads)
        {
            Assert.True(load.Anomalies.Count == 0, $"Responses no correct cluster gives:\n{string.Join('\n', load.Anomalies.Take(50))}");
        }

        await RestartAllAsync();
        foreach (var load in loads)
        {
            var report = await AppendChecker.CheckAsync(load, Cluster.Urls, Ct);
            Log($"check after restarting every node: {report}");
            Assert.True(report.Passed, report.ToString());
        }
    }

    /// <summary>SIGKILL of every node, then all start again on their data and agree on a leader.</summary>
    protected async Task RestartAllAsync()
    {
        var clock = Stopwatch.StartNew();
        Cluster.KillAll();
        await Task.WhenAll(Enumerable.Range(0, TestCluster.Size).Select(i => Cluster.RestartAsync(i, Ct)));
        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        Log($"every node killed and restarted; converged again after {clock.Elapsed.TotalSeconds:F1} s");
    }
}
