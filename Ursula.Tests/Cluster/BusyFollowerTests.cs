// Followers that are slow, not gone. DotNext's leader steps down after any replication round in
// which its messages to a majority failed, and a follower commits (and answers) only once its WAL
// is flushed. A leader that gave up on an AppendEntries after a second without an answer lost its
// leadership whenever both followers' disks were slow at once (the cluster conformance run's 10 MB
// appends did it on a loaded machine), and every write in flight was answered 503. Here both
// followers' WAL flushes are held for several seconds: they still answer a liveness probe, so the
// leader keeps waiting, keeps its term, and acknowledges the write once their disks come back.
using System.Diagnostics;
using System.Net;
using System.Text;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class BusyFollowerTests(ClusterPostgres postgres) : FsyncGatedClusterTestBase(postgres)
{
    /// <summary>Well past RaftMessageTimeout (1 s) and the upper election timeout (2 s).</summary>
    private static readonly TimeSpan HeldFor = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_leader_keeps_its_term_while_both_followers_take_seconds_to_flush_and_acknowledges_the_write_after()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var term = (await Cluster.GetStatusAsync(leader, Ct)).Term;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var stream = new Uri(Cluster.Urls[leader], "/busy/s");
        using (var created = await client.PutAsync(stream, new StringContent("start;", Encoding.UTF8, "text/plain"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        foreach (var follower in followers)
        {
            Gates[follower].Close();
        }

        var clock = Stopwatch.StartNew();
        var append = client.PostAsync(stream, new StringContent("held;", Encoding.UTF8, "text/plain"), Ct);
        await Task.Delay(HeldFor, Ct);
        Assert.True(followers.All(f => Gates[f].HasHeldAFlush), "A follower never flushed its WAL while its gate was closed: the seam did not engage.");
        if (append.IsCompleted)
        {
            using var early = await append;
            Assert.Fail($"The append was answered ({(int)early.StatusCode}) after {clock.ElapsedMilliseconds} ms while no follower could flush it.");
        }

        var during = await Cluster.GetStatusAsync(leader, Ct);
        foreach (var follower in followers)
        {
            Gates[follower].Open();
        }

        using var answer = await append;
        Log($"both followers' WAL flushes held for {HeldFor.TotalSeconds} s: the append was answered {(int)answer.StatusCode} after {clock.ElapsedMilliseconds} ms; the leader during the hold: {during}");
        Assert.True(during.IsLeader && during.Term == term, $"Node {leader} led in term {term} before the hold and reports {during} during it.");
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);

        var after = await Cluster.GetStatusAsync(leader, Ct);
        Assert.True(after.IsLeader && after.Term == term, $"Node {leader} led in term {term} before the hold and reports {after} after it.");
        // Read back from storage: every node restarted, nothing served from memory.
        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), Ct);
        Cluster.KillAll();
        await Task.WhenAll(Enumerable.Range(0, TestCluster.Size).Select(i => Cluster.RestartAsync(i, Ct)));
        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        foreach (var url in Cluster.Urls)
        {
            Assert.Equal("start;held;", Encoding.UTF8.GetString(await AppendChecker.ReadAllAsync(client, new Uri(url, "/busy/s"), Ct)));
        }
    }
}
