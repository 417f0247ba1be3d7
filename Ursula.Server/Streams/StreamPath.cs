// Stream paths: the rules every stream path obeys, whether it came from a request line, a
// Stream-Forked-From header or another node's forwarded command, and the reserved prefix of the
// server's own endpoints. Segments are judged the way a router would see them and more strictly:
// "%2F", which Kestrel leaves encoded in Request.Path, separates segments here too, so no spelling
// of "/_ursula/..." can become a stream.
using System.Text;

namespace Ursula.Server.Streams;

public static class StreamPath
{
    /// <summary>The first segment of every server endpoint (health, cluster status, Raft, forwarding, admin).</summary>
    public const string ReservedSegment = "_ursula";

    public const string ReservedPrefix = "/" + ReservedSegment;

    /// <summary>The protocol's segment for subscription control APIs.</summary>
    public const string SubscriptionSegment = "__ds";

    /// <summary>
    /// The segments of a path after what Kestrel and routing do (case is kept; callers compare
    /// ignoring it): split on "/" and on an encoded "%2F", empty and "." segments dropped, ".."
    /// removing the one before it.
    /// </summary>
    public static List<string> NormalizedSegments(string path)
    {
        var segments = new List<string>();
        foreach (var segment in Split(path))
        {
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        return segments;
    }

    /// <summary>True when the path, in any case or spelling, lies under the reserved prefix.</summary>
    public static bool IsReserved(string path) =>
        MayBeReserved(path) && NormalizedSegments(path) is [var first, ..] && first.Equals(ReservedSegment, StringComparison.OrdinalIgnoreCase);

    /// <summary>A cheap test for the request path: false means no spelling of the reserved prefix is in it.</summary>
    public static bool MayBeReserved(string path) => path.Contains(ReservedSegment, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for paths with the protocol's reserved "__ds" segment.</summary>
    public static bool IsSubscription(string path) => Split(path).Contains(SubscriptionSegment, StringComparer.Ordinal);

    /// <summary>Null when the path may name a stream, else the reason for a 400.</summary>
    public static string? Check(string? path, int maxBytes)
    {
        if (path is null || path.Length < 2 || path[0] != '/')
        {
            return "A stream path is required, for example /my/stream";
        }

        if (Encoding.UTF8.GetByteCount(path) > maxBytes)
        {
            return $"Stream paths are limited to {maxBytes} bytes";
        }

        foreach (var c in path)
        {
            if (char.IsControl(c) || c == '\\')
            {
                return "Stream paths may not contain control characters or backslashes";
            }
        }

        foreach (var segment in Split(path).Skip(1))
        {
            if (segment.Length == 0)
            {
                return "Stream paths may not contain empty segments";
            }

            if (segment is "." or "..")
            {
                return "Stream paths may not contain dot segments (. or ..)";
            }
        }

        return IsReserved(path) ? $"Paths under {ReservedPrefix}/ (in any case) are reserved for the server's own endpoints" : null;
    }

    /// <summary>
    /// Turns the path component of a URL (as a Stream-Forked-From header names its source) into
    /// the stream path a request to that URL addresses: percent-escapes decoded as UTF-8, except
    /// "%2F", which Kestrel also leaves encoded. Null when the escapes do not decode to UTF-8.
    /// </summary>
    public static string? FromUrlPath(string urlPath)
    {
        if (!urlPath.Contains('%', StringComparison.Ordinal))
        {
            return urlPath;
        }

        var bytes = new List<byte>(urlPath.Length);
        var text = new StringBuilder(urlPath.Length);
        for (var i = 0; i < urlPath.Length; i++)
        {
            if (urlPath[i] == '%' && i + 2 < urlPath.Length && IsHex(urlPath[i + 1]) && IsHex(urlPath[i + 2])
                && Convert.ToByte(urlPath.Substring(i + 1, 2), 16) is var decoded && decoded != (byte)'/')
            {
                bytes.Add(decoded);
                i += 2;
                continue;
            }

            if (!FlushBytes(bytes, text))
            {
                return null;
            }

            text.Append(urlPath[i]);
        }

        return FlushBytes(bytes, text) ? text.ToString() : null;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool FlushBytes(List<byte> bytes, StringBuilder text)
    {
        if (bytes.Count == 0)
        {
            return true;
        }

        try
        {
            text.Append(StrictUtf8.GetString(bytes.ToArray()));
            bytes.Clear();
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static IEnumerable<string> Split(string path)
    {
        var start = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var slash = path[i] == '/';
            var encoded = !slash && path[i] == '%' && i + 2 < path.Length && path[i + 1] == '2' && (path[i + 2] == 'F' || path[i + 2] == 'f');
            if (slash || encoded)
            {
                yield return path[start..i];
                i += encoded ? 2 : 0;
                start = i + 1;
            }
        }

        yield return path[start..];
    }
}
