// Who may read the operator's endpoints (metrics): the one predicate every such endpoint goes
// through, so that authentication can widen it (an admin token) in one place. Until then only
// callers on a loopback address are let in; everyone else gets 403.
using Ursula.Server.Protocol;

namespace Ursula.Server.Hosting.Observability;

public static class OperatorAccess
{
    /// <summary>True when the caller may read operator endpoints. Authentication plugs an admin-token check in here.</summary>
    public static bool IsAllowed(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    /// <summary>An endpoint filter that answers 403 with a problem body to callers <see cref="IsAllowed"/> refuses.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        if (IsAllowed(invocation.HttpContext))
        {
            return await next(invocation);
        }

        await Problem.WriteAsync(invocation.HttpContext, StatusCodes.Status403Forbidden, "Operator endpoints answer only on loopback");
        return null;
    }

    /// <summary>Middleware form of the same check, for endpoints mapped by a library (the Prometheus exporter).</summary>
    public static Task GuardAsync(HttpContext context, Func<Task> next) =>
        IsAllowed(context) ? next() : Problem.WriteAsync(context, StatusCodes.Status403Forbidden, "Operator endpoints answer only on loopback");
}
