using Ursula.Server.Replication.Subscriptions;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class BackoffTests
{
    [Theory]
    [InlineData(0, 1_000)]
    [InlineData(1, 2_000)]
    [InlineData(2, 4_000)]
    [InlineData(5, 32_000)]
    [InlineData(6, 60_000)]
    [InlineData(40, 60_000)]
    public void Delays_double_from_one_second_to_a_minute_within_twenty_percent(int failed, double baseMs)
    {
        Assert.Equal(baseMs * 0.8, Backoff.NextDelay(failed, 0).TotalMilliseconds, 3);
        Assert.Equal(baseMs * 1.2, Backoff.NextDelay(failed, 1).TotalMilliseconds, 3);
        Assert.Equal(baseMs, Backoff.NextDelay(failed, 0.5).TotalMilliseconds, 3);
        var random = new Random(failed);
        for (var i = 0; i < 1000; i++)
        {
            var delay = Backoff.NextDelay(failed, random.NextDouble()).TotalMilliseconds;
            Assert.InRange(delay, baseMs * 0.8, baseMs * 1.2);
        }
    }
}
