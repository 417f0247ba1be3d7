// The promise behind every acknowledgement in a cluster: the answer waits until the write is
// flushed to disk on the leader and on a majority. Each node runs with an FsyncGate around its WAL
// flushes; while the gates that make a majority are closed, no append may be acknowledged.
using System.Diagnostics;
using System.Net;
using System.Text;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class MajorityFlushOrderingTests(ClusterPostgres postgres) : FsyncGatedClusterTestBase(postgres)
{
    private static readonly TimeSpan HeldFor = TimeSpan.FromSeconds(3);
    [Fact]
    public async Task No_append_is_acknowledged_before_the_leader_and_a_majority_have_flushed_it_to_disk()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await RetryUntilAcknowledgedAsync(client, "/order/s", Cluster.Urls, null, "start;");

        // The leader's own disk stalls: it cannot commit, and must not answer.
        Gates[leader].Close();
        var held = await AppendWhileHeldAsync(client, Cluster.Urls[leader], 0, "leader-held;", [Gates[leader]]);
        Log($"leader node {leader}'s WAL flushes held for {HeldFor.TotalSeconds} s: the append sent to it was {held}");
        Gates[leader].Open();
        await RetryUntilAcknowledgedAsync(client, "/order/s", Cluster.Urls, 0, "leader-held;");

        // Both followers' disks stall: the leader has a majority that appended, none that flushed.
        (leader, followers) = await Cluster.GetRolesAsync(Ct);
        foreach (var follower in followers)
        {
            Gates[follower].Close();
        }

        held = await AppendWhileHeldAsync(client, Cluster.Urls[leader], 1, "followers-held;", [Gates[followers[0]], Gates[followers[1]]]);
        Log($"both followers' WAL flushes held for {HeldFor.TotalSeconds} s: the append sent to leader node {leader} was {held}");

        // One follower's disk comes back: leader and that follower are a majority again.
        Gates[followers[0]].Open();
        var clock = Stopwatch.StartNew();
        await RetryUntilAcknowledgedAsync(client, "/order/s", Cluster.Urls.Where((_, i) => i != followers[1]).ToList(), 1, "followers-held;");
        Log($"acknowledged {clock.ElapsedMilliseconds} ms after one follower's flushes were released, the other's still held");
        Gates[followers[1]].Open();

        // Read back from storage: every node restarted, nothing served from memory.
        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        Cluster.KillAll();
        await Task.WhenAll(Enumerable.Range(0, TestCluster.Size).Select(i => Cluster.RestartAsync(i, Ct)));
        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        foreach (var url in Cluster.Urls)
        {
            var text = Encoding.UTF8.GetString(await AppendChecker.ReadAllAsync(client, new Uri(url, "/order/s"), Ct));
            Assert.Equal("start;leader-held;followers-held;", text);
        }
    }

    /// <summary>Sends one producer append while the gates are closed and requires that it is not acknowledged meanwhile.</summary>
    private async Task<string> AppendWhileHeldAsync(HttpClient client, Uri node, long seq, string body, FsyncGate[] closed)
    {
        var clock = Stopwatch.StartNew();
        var append = SendAsync(client, new Uri(node, "/order/s"), seq, body);
        var finished = await Task.WhenAny(append, Task.Delay(HeldFor, Ct)) == append;
        Assert.True(closed.All(g => g.HasHeldAFlush), "A held node never flushed its WAL while its gate was closed: the seam did not engage.");
        if (finished && (await append) is HttpStatusCode.OK or HttpStatusCode.NoContent)
        {
            Assert.Fail($"The append was acknowledged ({(int)await append}) after {clock.ElapsedMilliseconds} ms while the flushes it needs were held.");
        }

        return finished ? $"answered {(int)await append} after {clock.ElapsedMilliseconds} ms" : "not answered";
    }

    /// <summary>Sends (or resends, exactly once by its producer sequence) an append until a node acknowledges it.</summary>
    private static async Task RetryUntilAcknowledgedAsync(HttpClient client, string path, IReadOnlyList<Uri> nodes, long? seq, string body)
    {
        var deadline = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            var target = new Uri(nodes[attempt % nodes.Count], path);
            var status = seq is { } s ? await SendAsync(client, target, s, body) : await CreateAsync(client, target, body);
            if (status is HttpStatusCode.OK or HttpStatusCode.NoContent or HttpStatusCode.Created)
            {
                return;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(45), $"{path} seq {seq} was not acknowledged within 45 s (last answer {(int)status}).");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, Uri target, long seq, string body)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "text/plain");
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = content };
            request.Headers.Add("Producer-Id", "ordering");
            request.Headers.Add("Producer-Epoch", "0");
            request.Headers.Add("Producer-Seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await client.SendAsync(request, Ct);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static async Task<HttpStatusCode> CreateAsync(HttpClient client, Uri target, string body)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "text/plain");
            using var response = await client.PutAsync(target, content, Ct);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }
}
