// While the node drains, every request but the Raft transport and the node's own endpoints
// (health, metrics, cluster status) is answered 503 with Retry-After and Connection: close, so
// clients and load balancers move to another node; write requests already running are counted so
// that the stop waits for their answers.
using Ursula.Server.Hosting.Observability;
using Ursula.Server.Protocol;

namespace Ursula.Server.Hosting.Lifecycle;

internal sealed class DrainMiddleware(RequestDelegate next, DrainState drain)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public async Task InvokeAsync(HttpContext context)
    {
        var route = RouteKinds.Of(context.Request);
        if (route is RouteKinds.Raft or RouteKinds.Node)
        {
            await next(context);
            return;
        }

        if (!IsWrite(route))
        {
            if (drain.IsDraining)
            {
                await RefuseAsync(context);
                return;
            }

            await next(context);
            return;
        }

        if (!drain.TryEnter())
        {
            await RefuseAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            drain.Exit();
        }
    }

    private static bool IsWrite(string route) => route is RouteKinds.Append or RouteKinds.Create or RouteKinds.Delete or RouteKinds.Cluster;

    private static Task RefuseAsync(HttpContext context)
    {
        context.Response.Headers.Connection = "close";
        return Problem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The node is shutting down; retry on another node", RetryAfter);
    }
}
