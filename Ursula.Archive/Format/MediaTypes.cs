// Content types compared by media type alone (parameters dropped, padding trimmed),
// case-insensitively, the way the protocol's reference implementation and its conformance suite
// compare them. The archive asks whether a stream's records are JSON messages (one row per
// message) and whether a text column is worth filling; the server's ContentTypes asks the same
// through these. Nothing here allocates: it runs on every append.
namespace Ursula.Archive.Format;

public static class MediaTypes
{
    public const string Json = "application/json";

    public static bool IsJson(string? contentType) => MediaType(contentType).Equals(Json, StringComparison.OrdinalIgnoreCase);

    /// <summary>text/* and JSON streams get the text column; other streams leave it null.</summary>
    public static bool HasText(string? contentType)
    {
        var media = MediaType(contentType);
        return media.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || media.Equals(Json, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The media type as it was sent: parameters dropped, trimmed, its case kept (compare it ignoring case).</summary>
    public static ReadOnlySpan<char> MediaType(string? contentType)
    {
        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        return (semicolon >= 0 ? span[..semicolon] : span).Trim();
    }
}
