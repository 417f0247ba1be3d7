// HEAD (metadata without touching the TTL) and DELETE.
using Ursula.Server.State.Commands;
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

public sealed partial class StreamEndpoints
{
    private async Task HeadAsync(HttpContext context, string path)
    {
        var (_, meta) = await FindAsync(context, path);
        if (meta is null)
        {
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = meta.ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers[ProtocolHeaders.NextOffset] = StreamOffset.Format(meta.Tail);
        response.Headers.ETag = $"\"{meta.Id}:-1:{StreamOffset.Format(meta.Tail)}{(meta.Closed ? ":c" : string.Empty)}\"";
        if (meta.Closed)
        {
            response.Headers[ProtocolHeaders.Closed] = "true";
        }

        if (meta.TtlSeconds is { } ttl)
        {
            response.Headers[ProtocolHeaders.Ttl] = ttl.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (meta.ExpiresAt is { } expiresAt)
        {
            response.Headers[ProtocolHeaders.ExpiresAt] = expiresAt;
        }
    }

    private async Task DeleteAsync(HttpContext context, string path)
    {
        var outcome = await SubmitAsync(new DeleteStreamCommand(path), body: null, context);
        await WriteOutcomeAsync(context, outcome);
    }
}
