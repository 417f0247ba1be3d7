// Content types are compared by media type only (case-insensitive, parameters dropped), the way
// the protocol's reference implementation and its conformance suite expect; the comparison itself
// is the archive's MediaTypes, so that both layers read a content type alike.
using Ursula.Archive.Format;

namespace Ursula.Server.Streams;

public static class ContentTypes
{
    public const string OctetStream = "application/octet-stream";
    public const string Json = MediaTypes.Json;

    public static bool IsJson(string? contentType) => MediaTypes.IsJson(contentType);

    /// <summary>SSE carries text natively for text/* and JSON; everything else is base64.</summary>
    public static bool IsSseText(string? contentType) => MediaTypes.HasText(contentType);

    /// <summary>A syntactically usable "type/subtype" value.</summary>
    public static bool IsWellFormed(string? contentType)
    {
        var media = MediaTypes.MediaType(contentType);
        var slash = media.IndexOf('/');
        return slash > 0 && slash < media.Length - 1 && !media[(slash + 1)..].Contains('/') && !HasWhiteSpace(media);
    }

    public static bool SameMediaType(string? a, string? b) =>
        MediaTypes.MediaType(a).Equals(MediaTypes.MediaType(b), StringComparison.OrdinalIgnoreCase);

    private static bool HasWhiteSpace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }
}
