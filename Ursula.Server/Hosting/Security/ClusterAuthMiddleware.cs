// Guards the cluster-internal endpoints with the cluster secret; streams and health stay public.
using Ursula.Server.Protocol;

namespace Ursula.Server.Hosting.Security;

internal sealed class ClusterAuthMiddleware(RequestDelegate next, ClusterSecret secret)
{
    private static readonly string[] Guarded = [ServerHost.RaftPath, StreamPaths.ReservedPrefix + "/internal", StreamPaths.ReservedPrefix + "/admin"];

    public Task InvokeAsync(HttpContext context)
    {
        if (secret.IsEnabled && IsGuarded(context.Request.Path) && !secret.Accepts(context.Request.Headers.Authorization))
        {
            return Problem.WriteAsync(context, StatusCodes.Status401Unauthorized, "This endpoint needs the cluster secret (an Authorization: Bearer header)");
        }

        return next(context);
    }

    private static bool IsGuarded(PathString path)
    {
        foreach (var prefix in Guarded)
        {
            if (path.StartsWithSegments(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
