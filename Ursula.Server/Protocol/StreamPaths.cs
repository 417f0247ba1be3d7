// Which request targets are streams. Kestrel already collapses "." and ".." segments of the
// decoded path, so traversal is judged on the raw request target, where "/a/../b" or
// "/a/%2e%2e/b" is still visible; every other rule is the shared one of Streams/StreamPath, which
// forwarded commands are held to as well.
using Microsoft.AspNetCore.Http.Features;
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

public static class StreamPaths
{
    /// <summary>Validates the request target; returns the stream path or an error for a 400.</summary>
    public static bool TryGetStreamPath(HttpContext context, int maxBytes, out string path, out string? error)
    {
        path = context.Request.Path.Value ?? string.Empty;
        error = StreamPath.Check(path, maxBytes) ?? CheckRawTarget(context, path);
        return error is null;
    }

    private static string? CheckRawTarget(HttpContext context, string path)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? path;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query >= 0 ? raw[..query] : raw;
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(rawPath);
        }
        catch (UriFormatException)
        {
            return "The request path is not valid percent-encoding";
        }

        return decoded.Split('/').Any(segment => segment is "." or "..")
            ? "Stream paths may not contain dot segments (. or ..)"
            : null;
    }
}
