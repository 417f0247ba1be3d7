using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

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
        await CreateAsync(Cluster.Urls[followers[0]], "/frozen/direct");

        var frozenAt = Stopwatch.GetTimestamp();
        Cluster.Freeze(leader);

        // Appends sent straight to the frozen leader wait in its socket buffers: on SIGCONT it still
        // believes it leads. Whatever it acknowledges must be in the new term's log.
        using var direct = new HttpClient { BaseAddress = Cluster.Urls[leader], Timeout = TimeSpan.FromSeconds(30) };
        var probes = Enumerable.Range(0, 8).Select(p => ProbeAsync(direct, p)).ToArray();

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
        var outcomes = await Task.WhenAll(probes);
        Log($"appends sent to the frozen leader answered: {string.Join(", ", outcomes.Select(o => (int)o))}");
        var agreed = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(15), Ct);
        var status = await Cluster.GetStatusAsync(leader, Ct);
        Assert.True(status.Term > oldTerm, $"The old leader is still in term {status.Term}: {status}");
        Log($"after the thaw all nodes follow node {agreed} in term {status.Term} (was {oldTerm})");

        var viaOldLeader = load.AcknowledgedVia(leader);
        await WaitUntilAsync(() => load.AcknowledgedVia(leader) >= viaOldLeader + 50, TimeSpan.FromSeconds(30), "the thawed node acknowledged appends");
        await StopLoadAndCheckAsync(load);

        // Every probe the thawed node acknowledged is in the log, once; the others at most once.
        foreach (var node in Enumerable.Range(0, TestCluster.Size))
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var text = Encoding.ASCII.GetString(await AppendChecker.ReadAllAsync(client, new Uri(Cluster.Urls[node], "/frozen/direct"), Ct));
            for (var p = 0; p < probes.Length; p++)
            {
                var copies = text.Split('\n').Count(line => line == $"probe{p}");
                if (outcomes[p] is HttpStatusCode.OK or HttpStatusCode.NoContent)
                {
                    Assert.True(copies == 1, $"probe{p} was acknowledged ({(int)outcomes[p]}) by the thawed leader but node {node} holds it {copies} times");
                }
                else
                {
                    Assert.True(copies <= 1, $"probe{p} ({(int)outcomes[p]}) is on node {node} {copies} times");
                }
            }
        }
    }

    private static async Task<HttpStatusCode> ProbeAsync(HttpClient client, int probe)
    {
        try
        {
            using var content = new ByteArrayContent(Encoding.ASCII.GetBytes($"probe{probe}\n"));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/frozen/direct") { Content = content };
            request.Headers.Add("Producer-Id", $"probe{probe}");
            request.Headers.Add("Producer-Epoch", "0");
            request.Headers.Add("Producer-Seq", "0");
            using var response = await client.SendAsync(request, Ct);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            return 0;
        }
    }

    private static async Task CreateAsync(Uri node, string path)
    {
        using var client = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(20) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var content = new ByteArrayContent([]);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var response = await client.PutAsync(path, content, Ct);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && deadline.Elapsed < TimeSpan.FromSeconds(20),
                $"Creating {path} answered {(int)response.StatusCode}");
            await Task.Delay(100, Ct);
        }
    }
}
