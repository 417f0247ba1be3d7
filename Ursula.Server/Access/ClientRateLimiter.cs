// A token bucket per client for ASP.NET Core's rate-limiting middleware, without a timer.
// PartitionedRateLimiter.Create runs a 100 ms heartbeat over its partitions for as long as the node
// lives (and a bucket left to refill itself needs a timer of its own): on an idle node those were
// the largest share of its wake-ups. Here a bucket refills from the monotonic clock when its client
// asks, and buckets idle long enough to be full again are dropped while requests come in.
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;

namespace Ursula.Server.Access;

internal sealed class ClientRateLimiter<TResource>(Func<TResource, ClientRateLimiter<TResource>.Rule?> classify, TimeProvider time) : PartitionedRateLimiter<TResource>
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);
    private long lastPrune = time.GetTimestamp();

    /// <summary>The bucket a request draws from: its client's key, the rate per second and the burst.</summary>
    public readonly record struct Rule(string Key, int PerSecond, int Burst);

    public int BucketCount => buckets.Count;

    public override RateLimiterStatistics? GetStatistics(TResource resource) => null;

    protected override RateLimitLease AttemptAcquireCore(TResource resource, int permitCount)
    {
        if (classify(resource) is not { } rule || rule.PerSecond <= 0)
        {
            return Lease.Granted;
        }

        var now = time.GetTimestamp();
        PruneIfDue(now);
        var bucket = buckets.GetOrAdd(rule.Key, static (_, state) => new Bucket(state.Burst, state.now), (rule.Burst, now));
        var wait = bucket.TryTake(permitCount, rule.PerSecond, rule.Burst, now, time);
        return wait is null ? Lease.Granted : new Lease(wait.Value);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(TResource resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    private void PruneIfDue(long now)
    {
        var last = Volatile.Read(ref lastPrune);
        if (time.GetElapsedTime(last, now) < PruneEvery || Interlocked.CompareExchange(ref lastPrune, now, last) != last)
        {
            return;
        }

        foreach (var (key, bucket) in buckets)
        {
            if (bucket.IdleFullSince(now, time))
            {
                buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket
    {
        private double tokens;
        private long refilledAt;
        private double perSecond = 1;
        private int burst;

        public Bucket(int burst, long at)
        {
            tokens = burst;
            this.burst = burst;
            refilledAt = at;
        }

        /// <summary>Takes the permits, or returns how long until they would be there.</summary>
        public TimeSpan? TryTake(int permits, int rate, int limit, long now, TimeProvider time)
        {
            lock (this)
            {
                perSecond = rate;
                burst = limit;
                Refill(now, time);
                if (tokens >= permits)
                {
                    tokens -= permits;
                    return null;
                }

                return TimeSpan.FromSeconds(Math.Ceiling((permits - tokens) / perSecond));
            }
        }

        /// <summary>True when the bucket would be full again: dropping it changes nothing for its client.</summary>
        public bool IdleFullSince(long now, TimeProvider time)
        {
            lock (this)
            {
                return tokens + (time.GetElapsedTime(refilledAt, now).TotalSeconds * perSecond) >= burst;
            }
        }

        private void Refill(long now, TimeProvider time)
        {
            tokens = Math.Min(burst, tokens + (time.GetElapsedTime(refilledAt, now).TotalSeconds * perSecond));
            refilledAt = now;
        }
    }

    private sealed class Lease : RateLimitLease
    {
        public static readonly Lease Granted = new(null);

        private readonly TimeSpan? retryAfter;

        public Lease(TimeSpan? retryAfter) => this.retryAfter = retryAfter;

        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, [NotNullWhen(true)] out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
