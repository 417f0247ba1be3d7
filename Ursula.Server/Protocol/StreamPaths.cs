// Which request paths are streams, and which are refused before they reach the write path.
// Kestrel already collapses "." and ".." segments of the decoded path, so traversal is judged on
// the raw request target, where "/a/../b" or "/a/%2e%2e/b" is still visible.
using Microsoft.AspNetCore.Http.Features;

namespace Ursula.Server.Protocol;

public static class StreamPaths
{
    public const string ReservedPrefix = "/_ursula";

    /// <summary>Validates the request target; returns the stream path or an error for a 400.</summary>
    public static bool TryGetStreamPath(HttpContext context, int maxBytes, out string path, out string? error)
    {
        path = context.Request.Path.Value ?? string.Empty;
        error = null;
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? path;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query >= 0 ? raw[..query] : raw;

        if (path.Length < 2 || path[0] != '/')
        {
            error = "A stream path is required, for example /my/stream";
            return false;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(path) > maxBytes)
        {
            error = $"Stream paths are limited to {maxBytes} bytes";
            return false;
        }

        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(rawPath);
        }
        catch (UriFormatException)
        {
            error = "The request path is not valid percent-encoding";
            return false;
        }

        foreach (var segment in decoded.Split('/'))
        {
            if (segment is "." or "..")
            {
                error = "Stream paths may not contain dot segments (. or ..)";
                return false;
            }
        }

        foreach (var c in path)
        {
            if (char.IsControl(c) || c == '\\')
            {
                error = "Stream paths may not contain control characters or backslashes";
                return false;
            }
        }

        if (path.Contains("//", StringComparison.Ordinal) || path.EndsWith('/'))
        {
            error = "Stream paths may not contain empty segments";
            return false;
        }

        return true;
    }

    /// <summary>True for the protocol's reserved "__ds" segment (subscription control APIs).</summary>
    public static bool IsSubscriptionPath(string path) =>
        path.Contains("/__ds/", StringComparison.Ordinal) || path.EndsWith("/__ds", StringComparison.Ordinal);
}
