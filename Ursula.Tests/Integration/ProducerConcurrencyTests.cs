using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class ProducerConcurrencyTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    [Fact]
    public async Task Concurrent_producers_on_one_stream_are_serialised_without_loss_or_duplicates()
    {
        var ct = TestContext.Current.CancellationToken;
        const int Producers = 12, PerProducer = 40;
        await fixture.Client.CreateAsync("/concurrent/producers", cancellationToken: ct);
        var tasks = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (var seq = 0; seq < PerProducer; seq++)
            {
                using var response = await fixture.Client.AppendAsync("/concurrent/producers", $"{p}:{seq};", cancellationToken: ct,
                    headers: [("Producer-Id", $"p{p}"), ("Producer-Epoch", "0"), ("Producer-Seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }, ct));
        await Task.WhenAll(tasks);

        var entries = (await fixture.Client.ReadAllAsync("/concurrent/producers", ct)).Split(';', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Producers * PerProducer, entries.Length);
        foreach (var group in entries.Select(e => e.Split(':')).GroupBy(e => e[0]))
        {
            Assert.Equal(Enumerable.Range(0, PerProducer).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), group.Select(e => e[1]));
        }
    }

    [Fact]
    public async Task Racing_retries_of_one_producer_sequence_append_it_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.Client.CreateAsync("/concurrent/retries", cancellationToken: ct);
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => fixture.Client.AppendAsync("/concurrent/retries", "once", cancellationToken: ct,
            headers: [("Producer-Id", "retrier"), ("Producer-Epoch", "0"), ("Producer-Seq", "0")])));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.NoContent));
        Assert.Equal("once", await fixture.Client.ReadAllAsync("/concurrent/retries", ct));
    }

    [Fact]
    public async Task Concurrent_writers_with_the_same_stream_seq_succeed_at_most_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.Client.CreateAsync("/concurrent/seq", cancellationToken: ct);
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => fixture.Client.AppendAsync("/concurrent/seq", $"w{i}", cancellationToken: ct, headers: [("Stream-Seq", "0001")])));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.NoContent));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(2, (await fixture.Client.ReadAllAsync("/concurrent/seq", ct)).Length);
    }
}
