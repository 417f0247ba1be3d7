// Membership changes on a running cluster under load: two nodes started with --join are added through
// the admin endpoint (asked of a follower, which relays to the leader) to make five members, writes go
// through all five, then an original follower is removed and stopped, and a joined node restarted on
// its data directory comes back knowing the membership it was given. The final check reads from
// storage: every remaining member is killed and restarted before it.
using System.Diagnostics;
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class MembershipTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private readonly HttpClient admin = new() { Timeout = TimeSpan.FromMinutes(3) };

    [Fact]
    public async Task Two_nodes_join_a_running_cluster_then_a_follower_is_removed_and_a_restarted_joiner_keeps_its_membership()
    {
        await using var load = new AppendLoad(Cluster.Urls, prefix: "/before");
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(200, TimeSpan.FromSeconds(30), Ct);

        // Each joiner gets a database of its own on one of the fixture's servers.
        var databases = await Postgres.CreateDatabasesAsync("joiners", Ct);
        var joiners = new List<NodeProcess>();
        try
        {
            for (var j = 0; j < 2; j++)
            {
                joiners.Add(NodeProcess.Start(
                    FreePort.Next(), Path.Combine(Cluster.RootDirectory, $"joiner{j}"), databases[j], [.. TestCluster.NodeArguments, .. TestCluster.SharedArchive(Cluster.RootDirectory, []), "--join"]));
            }

            await Task.WhenAll(joiners.Select(n => n.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct)));
            var (leader, followers) = await Cluster.GetRolesAsync(Ct);

            // Adding asks a follower: it must relay to the leader.
            foreach (var joiner in joiners)
            {
                var clock = Stopwatch.StartNew();
                var (status, body) = await ChangeMembershipAsync(HttpMethod.Post, Cluster.Urls[followers[0]], joiner.BaseUrl);
                Assert.True(status == HttpStatusCode.OK, $"adding {joiner.BaseUrl} answered {(int)status}: {body}");
                Assert.Contains("added", body, StringComparison.Ordinal);
                Log($"{joiner.BaseUrl} added in {clock.ElapsedMilliseconds} ms while the load ran");
            }

            var five = Cluster.Urls.Concat(joiners.Select(n => n.BaseUrl)).ToList();
            await WaitForMembersAsync(five, five.Count);

            // Adding the same node again changes nothing and says so.
            var (again, againBody) = await ChangeMembershipAsync(HttpMethod.Post, Cluster.Urls[leader], joiners[0].BaseUrl);
            Assert.True(again == HttpStatusCode.Conflict, $"adding a member twice answered {(int)again}: {againBody}");

            // Writes through all five nodes, the joiners included.
            await using var fiveLoad = new AppendLoad(five, writers: 10, prefix: "/five");
            await fiveLoad.CreateStreamsAsync(Ct);
            fiveLoad.Start();
            await fiveLoad.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), Ct);
            await fiveLoad.StopAsync(TimeSpan.FromSeconds(45));
            await load.StopAsync(TimeSpan.FromSeconds(45));
            Log($"five members: {fiveLoad.Describe()}; before: {load.Describe()}");
            Assert.All(Enumerable.Range(0, five.Count), n => Assert.True(fiveLoad.AcknowledgedVia(n) > 0, $"nothing was acknowledged through {five[n]}"));
            await WaitForConvergenceAsync(five);
            await CheckAsync(load, five);
            await CheckAsync(fiveLoad, five);

            // Remove an original follower (asking a joiner, which relays), then stop it.
            var removed = followers[1];
            var (removeStatus, removeBody) = await ChangeMembershipAsync(HttpMethod.Delete, joiners[1].BaseUrl, Cluster.Urls[removed]);
            Assert.True(removeStatus == HttpStatusCode.OK, $"removing {Cluster.Urls[removed]} answered {(int)removeStatus}: {removeBody}");
            Cluster.Kill(removed);
            var four = five.Where(u => u != Cluster.Urls[removed]).ToList();
            await WaitForMembersAsync(four, four.Count);
            Log($"{Cluster.Urls[removed]} removed; members now {string.Join(", ", four)}");

            // A joined node killed and restarted on its data directory still knows all four members.
            joiners[0].Kill();
            await using var fourLoad = new AppendLoad(four.Where(u => u != joiners[0].BaseUrl).ToList(), prefix: "/four");
            await fourLoad.CreateStreamsAsync(Ct);
            fourLoad.Start();
            await fourLoad.WaitForAcknowledgedAsync(200, TimeSpan.FromSeconds(30), Ct);
            joiners[0].Restart();
            await joiners[0].WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct);
            await fourLoad.StopAsync(TimeSpan.FromSeconds(45));
            await WaitForMembersAsync(four, four.Count);
            await WaitForConvergenceAsync(four);

            // Read back from storage: all four members killed and restarted first.
            var originals = Enumerable.Range(0, TestCluster.Size).Where(i => i != removed).ToList();
            foreach (var i in originals)
            {
                Cluster.Kill(i);
            }

            foreach (var joiner in joiners)
            {
                joiner.Kill();
            }

            foreach (var joiner in joiners)
            {
                joiner.Restart();
            }

            await Task.WhenAll(originals.Select(i => Cluster.RestartAsync(i, Ct)).Concat(joiners.Select(j => j.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct))));
            await WaitForMembersAsync(four, four.Count);
            await WaitForConvergenceAsync(four);
            await CheckAsync(load, four);
            await CheckAsync(fiveLoad, four);
            await CheckAsync(fourLoad, four);
        }
        finally
        {
            foreach (var joiner in joiners)
            {
                if (TestContext.Current.TestState?.Result is not TestResult.Passed)
                {
                    Log($"===== joiner {joiner.BaseUrl} =====\n{string.Join('\n', joiner.Output.Split('\n').TakeLast(60))}");
                }

                joiner.Kill();
                await joiner.DisposeAsync();
            }

            admin.Dispose();
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> ChangeMembershipAsync(HttpMethod method, Uri askedNode, Uri member)
    {
        using var request = new HttpRequestMessage(method, new Uri(askedNode, $"/_ursula/admin/members?url={Uri.EscapeDataString(member.ToString().TrimEnd('/'))}"));
        request.Headers.Authorization = new("Bearer", TestCluster.Secret);
        using var response = await admin.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<IReadOnlyList<NodeStatus?>> StatusesAsync(IReadOnlyList<Uri> nodes) =>
        await Task.WhenAll(nodes.Select(node => Cluster.TryGetStatusAsync(node, Ct)));

    /// <summary>Every node lists exactly <paramref name="count"/> members, the same set, which is exactly <paramref name="nodes"/>.</summary>
    private async Task WaitForMembersAsync(IReadOnlyList<Uri> nodes, int count)
    {
        var expected = nodes.Select(u => u.ToString().TrimEnd('/')).Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<NodeStatus?> last = [];
        try
        {
            var waited = await WaitUntilAsync(
                async () =>
                {
                    last = await StatusesAsync(nodes);
                    return last.All(s => s is not null && s.Members.Count == count
                        && s.Members.Select(m => m.Url.TrimEnd('/')).Order(StringComparer.Ordinal).SequenceEqual(expected));
                },
                TimeSpan.FromSeconds(30),
                $"all of {string.Join(", ", expected)} list exactly those members");
            Log($"{count} members agreed by every node after {waited.TotalMilliseconds:F0} ms");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last seen:\n{string.Join('\n', last.Select(s => s is null ? "(no answer)" : $"{s}: {string.Join(", ", s.Members.Select(m => m.Url))}"))}", e);
        }
    }

    /// <summary>One leader named by all, the same applied index everywhere, made durable, and stable for a moment.</summary>
    private async Task WaitForConvergenceAsync(IReadOnlyList<Uri> nodes)
    {
        long? stable = null;
        IReadOnlyList<NodeStatus?> last = [];
        await WaitUntilAsync(
            async () =>
            {
                last = await StatusesAsync(nodes);
                if (!TestCluster.Converged(last))
                {
                    stable = null;
                    return false;
                }

                var index = last[0]!.AppliedIndex;
                var done = stable == index;
                stable = index;
                if (!done)
                {
                    await Task.Delay(300, Ct);
                }

                return done;
            },
            TimeSpan.FromSeconds(60),
            "the nodes converge");
        Log($"converged at log index {stable} on {nodes.Count} nodes");
    }

    private async Task CheckAsync(AppendLoad load, IReadOnlyList<Uri> nodes)
    {
        Assert.True(load.Anomalies.Count == 0, string.Join('\n', load.Anomalies.Take(50)));
        var report = await AppendChecker.CheckAsync(load, nodes, Ct);
        Log($"check of {load.StreamPaths[0]}.. on {nodes.Count} nodes: {report}");
        Assert.True(report.Passed, report.ToString());
    }
}
