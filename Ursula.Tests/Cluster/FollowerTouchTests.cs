// Reads of a sliding-TTL stream served by a follower: each renews the TTL, but the follower
// forwards at most one touch per sixteenth of the TTL, so the leader's log grows by a few entries
// while hundreds of reads keep the stream alive past its TTL.
using System.Diagnostics;
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class FollowerTouchTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    [Fact]
    public async Task Reads_on_a_follower_renew_a_TTL_with_few_log_entries()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        using var follower = new HttpClient { BaseAddress = Cluster.Urls[followers[0]], Timeout = TimeSpan.FromSeconds(10) };
        const string Path = "/follower-touch/s";
        using (var created = await follower.CreateAsync(Path, body: "x", cancellationToken: Ct, headers: ("Stream-TTL", "2")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), Ct);
        var before = (await Cluster.GetStatusAsync(leader, Ct)).AppliedIndex;
        var reads = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            using var read = await follower.GetAsync($"{Path}?offset=-1", Ct);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            reads++;
            await Task.Delay(5, Ct);
        }

        var entries = (await Cluster.GetStatusAsync(leader, Ct)).AppliedIndex - before;
        Log($"{reads} follower reads in 5 s made {entries} log entries");
        Assert.True(reads >= 100, $"only {reads} reads in 5 s; the test needs many more reads than TTL windows");
        Assert.True(entries is >= 1 and <= 60, $"{reads} reads made {entries} log entries");

        // The stream outlived its 2 s TTL only through the renewals; left alone, it expires.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var head = await follower.SendAsync(new HttpRequestMessage(HttpMethod.Head, Path), Ct);
            if (head.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the stream never expired once nobody read it");
            await Task.Delay(200, Ct);
        }
    }
}
