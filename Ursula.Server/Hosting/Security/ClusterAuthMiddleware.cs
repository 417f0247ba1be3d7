// Guards the cluster endpoints (ClusterEndpoints decides which) with the cluster secret; streams,
// health and cluster status stay public. Only the cluster secret opens them: no client credential does.
using Ursula.Server.Protocol;

namespace Ursula.Server.Hosting.Security;

internal sealed class ClusterAuthMiddleware(RequestDelegate next, ClusterSecret secret)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (ClusterEndpoints.IsClusterEndpoint(context.Request.Path) && !secret.Accepts(context.Request.Headers.Authorization))
        {
            context.Response.Headers.WWWAuthenticate = ClusterSecret.Scheme;
            return Problem.WriteAsync(context, StatusCodes.Status401Unauthorized, "This endpoint needs the cluster secret (an Authorization: Bearer header)");
        }

        return next(context);
    }
}
