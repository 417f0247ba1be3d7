// Reads of a sliding-TTL stream renew its expiry without each becoming a log entry: the node lets
// through at most one touch per stream per sixteenth of the TTL. Counted through the applied log
// index in /_ursula/health, which every replicated command batch advances.
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class TouchDedupTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Many_reads_of_a_TTL_stream_make_few_log_entries_and_still_keep_it_alive()
    {
        var path = $"/touch/s-{Guid.NewGuid():N}";
        using (var created = await Client.CreateAsync(path, body: "x", cancellationToken: Ct, headers: ("Stream-TTL", "2")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var before = await AppliedIndexAsync();
        var reads = 0;
        var clock = Stopwatch.StartNew();

        // Reads for 5 s, well past the 2 s TTL: only the renewals keep the stream.
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            using var read = await Client.GetAsync($"{path}?offset=-1", Ct);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            reads++;
            await Task.Delay(5, Ct);
        }

        var entries = await AppliedIndexAsync() - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"{reads} reads in 5 s made {entries} log entries");
        Assert.True(reads >= 100, $"only {reads} reads in 5 s; the test needs many more reads than TTL windows");

        // One touch per 125 ms window is at most about 40 in 5 s; without the gate it was one per read.
        Assert.True(entries <= 60, $"{reads} reads made {entries} log entries");
        Assert.True(entries >= 1, "no read renewed the TTL");

        // Left alone, it expires after its TTL.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);
            if (head.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the stream never expired once nobody read it");
            await Task.Delay(200, Ct);
        }
    }

    private async Task<long> AppliedIndexAsync()
    {
        using var response = await Client.GetAsync("/_ursula/health", Ct);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return json.RootElement.GetProperty("appliedIndex").GetInt64();
    }
}
