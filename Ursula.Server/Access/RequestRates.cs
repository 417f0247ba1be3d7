// The request rate limit per client (Limits:RequestsPerSecond, a token bucket per token subject,
// else per IP address), answered 429 with Retry-After. Public and cluster requests are not
// counted: health checks and Raft traffic must not starve behind a busy client. A step of its own
// right after the access step rather than ASP.NET Core's UseRateLimiter: that middleware always
// builds an endpoint limiter whose 100 ms heartbeat ran on an idle node even with no limit set;
// the limiter is System.Threading.RateLimiting's abstraction all the same (ClientRateLimiter).
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Ursula.Server.Protocol;

namespace Ursula.Server.Access;

internal sealed class RequestRates(RequestDelegate next)
{
    private readonly PartitionedRateLimiter<HttpContext> limiter = Limiter(TimeProvider.System);

    public async Task InvokeAsync(HttpContext context)
    {
        using var lease = limiter.AttemptAcquire(context);
        if (!lease.IsAcquired)
        {
            await OnRejectedAsync(context, lease);
            return;
        }

        await next(context);
    }

    private static PartitionedRateLimiter<HttpContext> Limiter(TimeProvider time) => new ClientRateLimiter<HttpContext>(context =>
    {
        var request = context.Features.Get<AccessRequestFeature>()?.Request;
        var services = context.RequestServices;
        var limits = services.GetRequiredService<IOptions<LimitOptions>>().Value;
        var rate = limits.EffectiveRequestsPerSecond(services.GetRequiredService<AccessPolicy>().Enabled);
        if (request is null || request.Area is RequestArea.Public or RequestArea.Cluster || rate == 0)
        {
            return null;
        }

        return new ClientRateLimiter<HttpContext>.Rule(AccessPolicy.ClientKey(context), rate, limits.RequestBurst ?? Math.Max(1, rate * 2));
    }, time);

    private static Task OnRejectedAsync(HttpContext context, RateLimitLease lease)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var limits = context.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
        var rate = limits.EffectiveRequestsPerSecond(context.RequestServices.GetRequiredService<AccessPolicy>().Enabled);
        var detail = string.Create(CultureInfo.InvariantCulture, $"Too many requests: this client may make {rate} per second (Limits:RequestsPerSecond)");
        return Problem.WriteAsync(context, StatusCodes.Status429TooManyRequests, detail, wait);
    }
}
