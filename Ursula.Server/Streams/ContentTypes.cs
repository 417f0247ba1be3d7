// Content types are compared by media type only (case-insensitive, parameters dropped), the way
// the protocol's reference implementation and its conformance suite expect.
namespace Ursula.Server.Streams;

public static class ContentTypes
{
    public const string OctetStream = "application/octet-stream";
    public const string Json = "application/json";

    public static string MediaType(string? contentType) => Media(contentType).ToString().ToLowerInvariant();

    public static bool IsJson(string? contentType) => Media(contentType).Equals(Json, StringComparison.OrdinalIgnoreCase);

    /// <summary>SSE carries text natively for text/* and JSON; everything else is base64.</summary>
    public static bool IsSseText(string? contentType)
    {
        var media = Media(contentType);
        return media.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || media.Equals(Json, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A syntactically usable "type/subtype" value.</summary>
    public static bool IsWellFormed(string? contentType)
    {
        var media = Media(contentType);
        var slash = media.IndexOf('/');
        if (slash <= 0 || slash >= media.Length - 1 || media[(slash + 1)..].IndexOf('/') >= 0)
        {
            return false;
        }

        foreach (var c in media)
        {
            if (char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool SameMediaType(string? a, string? b) => Media(a).Equals(Media(b), StringComparison.OrdinalIgnoreCase);

    // The media type as it was sent (parameters dropped, trimmed), compared without regard to
    // case by the callers: these run on every append, so nothing is allocated.
    private static ReadOnlySpan<char> Media(string? contentType)
    {
        if (contentType is null)
        {
            return [];
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var media = semicolon >= 0 ? contentType.AsSpan(0, semicolon) : contentType.AsSpan();
        return media.Trim();
    }
}
