// The request rate limit per client (Limits:RequestsPerSecond, a token bucket per token subject,
// else per IP address), answered 429 with Retry-After. Public and cluster requests are not
// counted: health checks and Raft traffic must not starve behind a busy client.
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Ursula.Server.Protocol;

namespace Ursula.Server.Access;

internal static class RequestRates
{
    public static PartitionedRateLimiter<HttpContext> Limiter() => PartitionedRateLimiter.Create<HttpContext, string>(context =>
    {
        var request = context.Features.Get<AccessRequestFeature>()?.Request;
        var services = context.RequestServices;
        var limits = services.GetRequiredService<IOptions<LimitOptions>>().Value;
        var rate = limits.EffectiveRequestsPerSecond(services.GetRequiredService<AccessPolicy>().Enabled);
        if (request is null || request.Area is RequestArea.Public or RequestArea.Cluster || rate == 0)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        return RateLimitPartition.GetTokenBucketLimiter(AccessPolicy.ClientKey(context), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.RequestBurst ?? Math.Max(1, rate * 2),
            TokensPerPeriod = rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        });
    });

    public static ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var limits = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
        var rate = limits.EffectiveRequestsPerSecond(rejected.HttpContext.RequestServices.GetRequiredService<AccessPolicy>().Enabled);
        var detail = string.Create(CultureInfo.InvariantCulture, $"Too many requests: this client may make {rate} per second (Limits:RequestsPerSecond)");
        return new ValueTask(Problem.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, detail, wait));
    }
}
