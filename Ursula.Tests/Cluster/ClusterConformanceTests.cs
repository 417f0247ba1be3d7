using System.Diagnostics;
using Ursula.Tests.Conformance;

namespace Ursula.Tests.Cluster;

public sealed class ClusterConformanceTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    /// <summary>One run takes about a minute against a steady cluster; far longer means the cluster is not steady.</summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Every_non_subscription_test_of_the_official_suite_passes_against_the_leader_and_both_followers()
    {
        var (leader, _) = await Cluster.GetRolesAsync(Ct);
        var term = (await Cluster.GetStatusAsync(leader, Ct)).Term;
        await ConformanceSuite.EnsureInstalledAsync(Ct);

        // One run per node, all at once against the same cluster; see DistinctSuiteClocks.
        SuiteRun[] runs;
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        using (DistinctSuiteClocks.Install(Cluster.Urls))
        {
            limit.CancelAfter(RunLimit);
            try
            {
                runs = await Task.WhenAll(Enumerable.Range(0, TestCluster.Size).Select(async node =>
                {
                    var clock = Stopwatch.StartNew();
                    var outcome = await ConformanceSuite.RunAsync(Cluster.Urls[node], TimeSpan.FromSeconds(2), limit.Token);
                    return new SuiteRun(node, outcome, clock.Elapsed);
                }));
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                Log(await DescribeClusterAsync());
                throw new TimeoutException($"The three runs of the suite did not finish within {RunLimit}.");
            }
        }

        Log($"leader at the start: node {leader} (term {term}); after the runs: {await DescribeClusterAsync()}");
        foreach (var run in runs)
        {
            Log($"node {run.Node} ({(run.Node == leader ? "leader" : "follower")}): {run.Outcome.Passed} passed, {run.Outcome.Failed} failed, {run.Outcome.Skipped} skipped of {run.Outcome.Total} in {run.Elapsed.TotalSeconds:F0} s");
        }

        var problems = runs
            .Where(run => run.Outcome.Failures.Count > 0 || run.Outcome.Passed < ConformanceSuite.NonSubscriptionTests)
            .Select(run => $"against node {run.Node} ({(run.Node == leader ? "the leader" : "a follower")}): {run.Outcome.Passed} passed (expected {ConformanceSuite.NonSubscriptionTests}), {run.Outcome.Failed} failed"
                + (run.Outcome.Failures.Count > 0 ? $":\n  {string.Join("\n  ", run.Outcome.Failures)}" : $"\n{run.Outcome.Log}"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private async Task<string> DescribeClusterAsync()
    {
        var statuses = await Cluster.GetStatusesAsync(Cluster.LiveNodes, Ct);
        return string.Join("; ", statuses.Select(p => $"node {p.Key}: {p.Value?.ToString() ?? "no answer"}, {Cluster.SnapshotInstalls(p.Key)} snapshots installed"));
    }

    private sealed record SuiteRun(int Node, ConformanceResult Outcome, TimeSpan Elapsed);
}
