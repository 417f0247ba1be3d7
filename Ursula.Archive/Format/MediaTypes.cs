// What the archive needs to know about a stream's content type: whether its records are JSON
// messages (one row per message) and whether a text column is worth filling. Compared by media
// type alone, case-insensitively, as the server compares them.
namespace Ursula.Archive.Format;

public static class MediaTypes
{
    public static bool IsJson(string contentType) => MediaType(contentType).Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>text/* and JSON streams get the text column; other streams leave it null.</summary>
    public static bool HasText(string contentType)
    {
        var media = MediaType(contentType);
        return media.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || IsJson(contentType);
    }

    private static ReadOnlySpan<char> MediaType(string contentType)
    {
        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        return (semicolon >= 0 ? span[..semicolon] : span).Trim();
    }
}
