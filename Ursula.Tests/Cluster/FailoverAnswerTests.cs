// What a follower answers while its leader is gone and no new one is elected yet: a read that
// needs a read barrier, and an admin request it relays to the leader, are 503 with Retry-After
// (retry shortly), never 500.
using System.Diagnostics;
using System.Net;

namespace Ursula.Tests.Cluster;

public sealed class FailoverAnswerTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    [Fact]
    public async Task During_a_failover_barrier_reads_and_relayed_admin_requests_answer_503_with_Retry_After_never_500()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var follower = Cluster.Urls[followers[0]];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var answers = new List<(string What, HttpStatusCode Status, bool RetryAfter)>();

        Cluster.Kill(leader);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            // A stream this node does not know: it asks the leader whether it is behind.
            using (var read = await http.GetAsync(new Uri(follower, $"/failover/unknown-{Guid.NewGuid():N}?offset=-1"), Ct))
            {
                answers.Add(("read", read.StatusCode, read.Headers.RetryAfter is not null));
            }

            // Not a member: harmless wherever it lands, but a follower relays it to the leader.
            using var remove = new HttpRequestMessage(HttpMethod.Delete, new Uri(follower, $"/_ursula/admin/members?url={Uri.EscapeDataString("http://127.0.0.1:1")}"));
            remove.Headers.Authorization = new("Bearer", TestCluster.Secret);
            using (var relayed = await http.SendAsync(remove, Ct))
            {
                answers.Add(("admin", relayed.StatusCode, relayed.Headers.RetryAfter is not null));
            }

            await Task.Delay(50, Ct);
        }

        var summary = string.Join(", ", answers.GroupBy(a => $"{a.What} {(int)a.Status}").Select(g => $"{g.Key} x{g.Count()}"));
        Log($"answers while the leader was gone and after: {summary}");
        Assert.DoesNotContain(answers, a => a.Status == HttpStatusCode.InternalServerError);
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.True(a.RetryAfter, $"{a.What} 503 without Retry-After"));
        Assert.Contains(answers, a => a is { What: "read", Status: HttpStatusCode.ServiceUnavailable });
        Assert.Contains(answers, a => a is { What: "admin", Status: HttpStatusCode.ServiceUnavailable });

        // Once a new leader is elected the same requests get their ordinary answers.
        await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), Ct, among: followers);
        using var after = await http.GetAsync(new Uri(follower, "/failover/unknown?offset=-1"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }
}
