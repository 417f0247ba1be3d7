// Headers every response carries: the browser security headers of the protocol, and on streams
// CORS for browsers per Auth:AllowedOrigins (any origin in the development default, none with
// authentication on unless listed; a listed origin is echoed with Vary: Origin). The server's own endpoints under /_ursula/ get no CORS headers here, so no web page can
// read or drive them from a browser; the client surfaces among them (the SignalR hub and the stream
// listing) get theirs from the CORS policy of Hub/StreamHubExtensions, per Hub:AllowedOrigins.
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

internal sealed class ProtocolHeadersMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<Access.AccessOptions> access)
{
    private readonly string[] origins = access.Value.EffectiveOrigins;

    private const string AllowHeaders =
        "Content-Type, Authorization, If-None-Match, Stream-Seq, Stream-TTL, Stream-Expires-At, Stream-Closed, " +
        "Producer-Id, Producer-Epoch, Producer-Seq, Stream-Forked-From, Stream-Fork-Offset, Stream-Fork-Sub-Offset";

    private const string ExposeHeaders =
        "Stream-Next-Offset, Stream-Cursor, Stream-Up-To-Date, Stream-Closed, Stream-TTL, Stream-Expires-At, " +
        "Stream-SSE-Data-Encoding, Producer-Epoch, Producer-Seq, Producer-Expected-Seq, Producer-Received-Seq, " +
        "ETag, Location, Content-Type, Retry-After";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (StreamPath.IsReserved(context.Request.Path.Value ?? string.Empty))
        {
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            return next(context);
        }

        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        if (origins is ["*"])
        {
            headers.AccessControlAllowOrigin = "*";
        }
        else
        {
            headers.Vary = "Origin";
            var origin = context.Request.Headers.Origin.ToString();
            if (origin.Length == 0 || !origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
            {
                return next(context);
            }

            headers.AccessControlAllowOrigin = origin;
        }

        headers.AccessControlAllowMethods = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
        headers.AccessControlAllowHeaders = AllowHeaders;
        headers.AccessControlExposeHeaders = ExposeHeaders;
        headers.AccessControlMaxAge = "86400";
        return next(context);
    }
}
