using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using Ursula.Server.Access;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class ClientRateLimiterTests
{
    private static ClientRateLimiter<string> Limiter(FakeTimeProvider time, int perSecond = 10, int burst = 20) =>
        new(client => client == "public" ? null : new ClientRateLimiter<string>.Rule(client, perSecond, burst), time);

    [Fact]
    public void A_client_gets_its_burst_then_its_rate_and_a_retry_after_that_says_when_the_next_token_comes()
    {
        var time = new FakeTimeProvider();
        var limiter = Limiter(time);

        for (var i = 0; i < 20; i++)
        {
            Assert.True(limiter.AttemptAcquire("a").IsAcquired, $"request {i} of the burst");
        }

        using var refused = limiter.AttemptAcquire("a");
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);

        // Another client has a bucket of its own; an unlimited request draws from none.
        Assert.True(limiter.AttemptAcquire("b").IsAcquired);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(limiter.AttemptAcquire("public").IsAcquired);
        }

        // 10 per second: after 0.5 s five more, not six.
        time.Advance(TimeSpan.FromMilliseconds(500));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire("a").IsAcquired, $"refilled request {i}");
        }

        Assert.False(limiter.AttemptAcquire("a").IsAcquired);

        // A long pause refills to the burst, never above it.
        time.Advance(TimeSpan.FromHours(1));
        var granted = Enumerable.Range(0, 50).Count(_ => limiter.AttemptAcquire("a").IsAcquired);
        Assert.Equal(20, granted);
    }

    [Fact]
    public void Buckets_of_clients_gone_quiet_long_enough_to_be_full_again_are_dropped()
    {
        var time = new FakeTimeProvider();
        var limiter = Limiter(time);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(limiter.AttemptAcquire($"ip:{i}").IsAcquired);
        }

        Assert.Equal(1000, limiter.BucketCount);

        // 11 s later every one of them is full again: the next request (from a new client) prunes
        // them all, and that client's bucket still holds only its burst.
        time.Advance(TimeSpan.FromSeconds(11));
        for (var i = 0; i < 20; i++)
        {
            Assert.True(limiter.AttemptAcquire("busy").IsAcquired);
        }

        Assert.Equal(1, limiter.BucketCount);
        Assert.False(limiter.AttemptAcquire("busy").IsAcquired);

        // A bucket still short of tokens at the next prune (10 s on) is kept, with its debt.
        time.Advance(TimeSpan.FromSeconds(9.9));
        for (var i = 0; i < 20; i++)
        {
            Assert.True(limiter.AttemptAcquire("other").IsAcquired);
        }

        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(limiter.AttemptAcquire("newcomer").IsAcquired);
        Assert.Equal(2, limiter.BucketCount);
        Assert.True(limiter.AttemptAcquire("other").IsAcquired);
        Assert.False(limiter.AttemptAcquire("other").IsAcquired);
    }
}
