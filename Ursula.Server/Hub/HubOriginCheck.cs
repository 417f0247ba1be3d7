// With Hub:AllowedOrigins listing origins, pages of other sites must not reach the hub at all. CORS
// already keeps them from reading the negotiate answer, but browsers do not apply CORS to
// WebSockets, and a WebSocket carries the user's cookies: refuse every request of the hub that
// comes from a page whose origin is neither this server's own nor listed.
using Microsoft.Extensions.Options;

namespace Ursula.Server.Hub;

internal sealed class HubOriginCheck(RequestDelegate next, IOptions<StreamHubOptions> options, PathString hubPath)
{
    private readonly string[] origins = options.Value.AllowedOrigins;

    public Task InvokeAsync(HttpContext context)
    {
        if (origins is ["*"] || !context.Request.Path.StartsWithSegments(hubPath, StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        var origin = context.Request.Headers.Origin.ToString();
        var own = $"{context.Request.Scheme}://{context.Request.Host}";
        if (origin.Length == 0 || origin.Equals(own, StringComparison.OrdinalIgnoreCase) || origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
