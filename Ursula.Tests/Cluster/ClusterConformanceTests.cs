using System.Diagnostics;
using Ursula.Tests.Conformance;

namespace Ursula.Tests.Cluster;

public sealed class ClusterConformanceTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    /// <summary>One run takes about a minute against a steady cluster; far longer means the cluster is not steady.</summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);

    /// <summary>The suite's webhook receiver listens on http://127.0.0.1.</summary>
    protected override IReadOnlyList<string> ExtraNodeArguments => ["--allow-local-http-webhooks"];

    [Fact]
    public async Task Every_test_of_the_official_suite_subscriptions_included_passes_against_the_leader_and_both_followers()
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
                    var outcome = await ConformanceSuite.RunAsync(Cluster.Urls[node], TimeSpan.FromSeconds(2), limit.Token, SuiteScope.NonSubscription);
                    return new SuiteRun(node, outcome, clock.Elapsed);
                }));

                // The subscription block one node after the other: its subscriptions match
                // events/* at the stream root, which concurrent runs would share, and each test
                // expects the wakes of its own streams only.
                for (var node = 0; node < TestCluster.Size; node++)
                {
                    var clock = Stopwatch.StartNew();
                    var outcome = await ConformanceSuite.RunAsync(Cluster.Urls[node], TimeSpan.FromSeconds(2), limit.Token, SuiteScope.SubscriptionsOnly);
                    runs[node] = runs[node].With(outcome, clock.Elapsed);
                }
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
            .Where(run => run.Outcome.Failures.Count > 0 || run.Outcome.Passed < ConformanceSuite.AllTests)
            .Select(run => $"against node {run.Node} ({(run.Node == leader ? "the leader" : "a follower")}): {run.Outcome.Passed} passed (expected {ConformanceSuite.AllTests}), {run.Outcome.Failed} failed"
                + (run.Outcome.Failures.Count > 0 ? $":\n  {string.Join("\n  ", run.Outcome.Failures)}" : $"\n{run.Outcome.Log}"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private async Task<string> DescribeClusterAsync()
    {
        var statuses = await Cluster.GetStatusesAsync(Cluster.LiveNodes, Ct);
        return string.Join("; ", statuses.Select(p => $"node {p.Key}: {p.Value?.ToString() ?? "no answer"}, {Cluster.SnapshotInstalls(p.Key)} snapshots installed"));
    }

    private sealed record SuiteRun(int Node, ConformanceResult Outcome, TimeSpan Elapsed)
    {
        /// <summary>This run and the subscription block's run against the same node, counted together.</summary>
        public SuiteRun With(ConformanceResult block, TimeSpan elapsed) => this with
        {
            Outcome = new ConformanceResult(
                Outcome.Total, Outcome.Passed + block.Passed, Outcome.Failed + block.Failed, Outcome.Skipped - block.Passed - block.Failed,
                [.. Outcome.Failures, .. block.Failures], Outcome.Log + block.Log),
            Elapsed = Elapsed + elapsed,
        };
    }
}
