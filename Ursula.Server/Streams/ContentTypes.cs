// Content types are compared by media type only (case-insensitive, parameters dropped), the way
// the protocol's reference implementation and its conformance suite expect.
namespace Ursula.Server.Streams;

public static class ContentTypes
{
    public const string OctetStream = "application/octet-stream";
    public const string Json = "application/json";

    public static string MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return string.Empty;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var media = semicolon >= 0 ? contentType[..semicolon] : contentType;
        return media.Trim().ToLowerInvariant();
    }

    public static bool IsJson(string? contentType) => MediaType(contentType) == Json;

    /// <summary>SSE carries text natively for text/* and JSON; everything else is base64.</summary>
    public static bool IsSseText(string? contentType)
    {
        var media = MediaType(contentType);
        return media.StartsWith("text/", StringComparison.Ordinal) || media == Json;
    }

    /// <summary>A syntactically usable "type/subtype" value.</summary>
    public static bool IsWellFormed(string? contentType)
    {
        var media = MediaType(contentType);
        var slash = media.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < media.Length - 1 && media.IndexOf('/', slash + 1) < 0 && !media.Any(char.IsWhiteSpace);
    }

    public static bool SameMediaType(string? a, string? b) => MediaType(a) == MediaType(b);
}
