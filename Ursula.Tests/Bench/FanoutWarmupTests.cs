// The fan-out writer's warm-up window: its appends reach the stream and count toward delivery, but
// neither the publish rate nor the append latency of the measured window includes them.
using Ursula.Bench.Fanout;
using Ursula.Bench.Http;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Bench;

[Trait("Category", "Integration")]
public sealed class FanoutWarmupTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    [Fact]
    public async Task Warm_up_appends_are_published_and_acknowledged_but_left_out_of_the_measured_figures()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = new Uri(fixture.Node.BaseUrl, $"/bench-warmup/{Guid.NewGuid():N}").ToString();
        using var client = BenchHttp.Create(4, TimeSpan.FromSeconds(30));
        await StreamApi.CreateAsync(client, url, "text/plain", ct);
        var publisher = new FanoutPublisher(client, url, "text/plain", 64);

        await publisher.RunAsync(rate: 40, warmup: TimeSpan.FromSeconds(0.5), duration: TimeSpan.FromSeconds(1), maxInFlight: 16, ct);

        Assert.Equal(20, publisher.FirstMeasured);
        Assert.Equal(40, publisher.Attempted);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), publisher.Acknowledged.Order());
        Assert.Equal(40, publisher.AppendLatency.TotalCount);

        // Every record, warm-up ones included, is in the stream once (sent concurrently, so in any order).
        var body = await client.GetByteArrayAsync(url + "?offset=-1", ct);
        var sequences = new List<long>();
        var position = 0;
        while (TimestampPayload.TryReadNext(body, ref position, out var sequence, out _))
        {
            sequences.Add(sequence);
        }

        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), sequences.Order());
    }
}
