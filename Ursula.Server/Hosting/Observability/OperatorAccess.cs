// Who may read the operator's endpoints (metrics): the one predicate every such endpoint goes
// through. Callers on a loopback address are let in without a token; anyone else only with a token
// the access step authenticated and found admin on every path (RequestArea.Reserved), so with
// authentication off (--insecure beyond loopback) everyone else gets 403.
using Ursula.Server.Access;
using Ursula.Server.Protocol;

namespace Ursula.Server.Hosting.Observability;

public static class OperatorAccess
{
    /// <summary>True when the caller may read operator endpoints: on loopback, or authenticated as admin on every path.</summary>
    public static bool IsAllowed(HttpContext context) =>
        RequestClassifier.IsLoopback(context.Connection.RemoteIpAddress)
        || (context.Features.Get<AccessRequestFeature>()?.Request.Area == RequestArea.Reserved && context.User.Identity?.IsAuthenticated == true);

    /// <summary>An endpoint filter that answers 403 with a problem body to callers <see cref="IsAllowed"/> refuses.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        if (IsAllowed(invocation.HttpContext))
        {
            return await next(invocation);
        }

        await Problem.WriteAsync(invocation.HttpContext, StatusCodes.Status403Forbidden, "Operator endpoints answer on loopback, or to a token with admin:/**");
        return null;
    }

    /// <summary>Middleware form of the same check, for endpoints mapped by a library (the Prometheus exporter).</summary>
    public static Task GuardAsync(HttpContext context, Func<Task> next) =>
        IsAllowed(context) ? next() : Problem.WriteAsync(context, StatusCodes.Status403Forbidden, "Operator endpoints answer on loopback, or to a token with admin:/**");
}
