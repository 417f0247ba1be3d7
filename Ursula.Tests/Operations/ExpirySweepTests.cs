// The expiry sweeper, which now checks only streams with a TTL or deadline: a stream whose TTL ran
// out is expired through the log (the node's stream count drops and the path can be created anew
// with another configuration), while streams without one stay.
using System.Net;
using System.Text;
using System.Text.Json;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class ExpirySweepTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    [Fact]
    public async Task A_stream_past_its_TTL_is_expired_through_the_log_and_others_stay()
    {
        var ct = TestContext.Current.CancellationToken;
        using var keep = await fixture.Client.PutAsync("/sweep/keep", new StringContent(string.Empty, Encoding.UTF8, "text/plain"), ct);
        Assert.Equal(HttpStatusCode.Created, keep.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/sweep/ttl") { Content = new StringContent(string.Empty, Encoding.UTF8, "text/plain") };
        request.Headers.Add("Stream-TTL", "1");
        using var create = await fixture.Client.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var before = await StreamCountAsync(ct);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await StreamCountAsync(ct) >= before)
        {
            Assert.True(DateTime.UtcNow < deadline, "the expired stream was not expired through the log");
            await Task.Delay(200, ct);
        }

        Assert.Equal(before - 1, await StreamCountAsync(ct));
        using var kept = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/sweep/keep"), ct);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);

        // Gone from the catalog: the path takes a new stream of another type.
        using var again = await fixture.Client.PutAsync("/sweep/ttl", new StringContent(string.Empty, Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    private async Task<int> StreamCountAsync(CancellationToken ct)
    {
        using var response = await fixture.Client.GetAsync("/_ursula/health", ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("streams").GetInt32();
    }
}
