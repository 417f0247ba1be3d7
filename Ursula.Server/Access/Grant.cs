// One grant: a level on a path pattern, written "LEVEL:PATTERN" ("write:/tenant-a/**"). Patterns
// are matched segment by segment on the stream path exactly as the server stores it, split on "/"
// only and compared ordinally (case matters, as it does for stream paths): "*" is one non-empty
// segment, a final "**" zero or more. Nothing else is special, so another spelling of a path
// ("%2F", "..", an empty segment, other case) is either refused as a path before it gets here or
// names a literal segment that no grant of another tenant matches.
namespace Ursula.Server.Access;

public sealed class Grant(AccessLevel level, string pattern)
{
    private readonly string[] segments = Segments(pattern);

    public AccessLevel Level { get; } = level;

    public string Pattern { get; } = pattern;

    /// <summary>Parses "read:/a/**"; null with <paramref name="error"/> set when it is not a grant.</summary>
    public static Grant? Parse(string text, out string? error)
    {
        error = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var level = colon < 0 ? null : text[..colon].Trim().ToLowerInvariant() switch
        {
            "read" => (AccessLevel?)AccessLevel.Read,
            "write" => AccessLevel.Write,
            "admin" => AccessLevel.Admin,
            _ => null,
        };
        if (level is null)
        {
            error = $"grant \"{text}\" must start with read:, write: or admin:";
            return null;
        }

        var pattern = text[(colon + 1)..].Trim();
        if (pattern.Length == 0 || pattern[0] != '/')
        {
            error = $"grant \"{text}\": the pattern must start with /, for example /tenant-a/**";
            return null;
        }

        var parts = Segments(pattern);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 && !(parts.Length == 1 && pattern == "/"))
            {
                error = $"grant \"{text}\": the pattern has an empty segment";
                return null;
            }

            if (parts[i] == "**" && i != parts.Length - 1)
            {
                error = $"grant \"{text}\": ** may only be the last segment";
                return null;
            }

            if (parts[i] != "**" && parts[i] != "*" && parts[i].Contains('*', StringComparison.Ordinal))
            {
                error = $"grant \"{text}\": * and ** stand for whole segments only";
                return null;
            }
        }

        return new Grant(level.Value, pattern);
    }

    /// <summary>True when this grant gives at least <paramref name="needed"/> on the stream <paramref name="path"/>.</summary>
    public bool Allows(AccessLevel needed, string path) => Level >= needed && Matches(Segments(path));

    /// <summary>True when this grant gives at least <paramref name="needed"/> on every path under <paramref name="root"/> (root included).</summary>
    public bool AllowsSubtree(AccessLevel needed, string root)
    {
        if (Level < needed || segments is not [.., "**"])
        {
            return false;
        }

        var rootSegments = root == "/" ? [] : Segments(root);
        var prefix = segments.Length - 1;
        if (rootSegments.Length < prefix)
        {
            return false;
        }

        for (var i = 0; i < prefix; i++)
        {
            if (!SegmentMatches(segments[i], rootSegments[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => $"{Level.ToString().ToLowerInvariant()}:{Pattern}";

    private bool Matches(string[] path)
    {
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] == "**")
            {
                return true;
            }

            if (i >= path.Length || !SegmentMatches(segments[i], path[i]))
            {
                return false;
            }
        }

        return path.Length == segments.Length;
    }

    private static bool SegmentMatches(string pattern, string segment) =>
        pattern == "*" ? segment.Length > 0 : string.Equals(pattern, segment, StringComparison.Ordinal);

    /// <summary>"/a/b" as ["a", "b"]; "/" as [""]. Only "/" separates.</summary>
    private static string[] Segments(string path) => path.Length > 0 && path[0] == '/' ? path[1..].Split('/') : [path];
}
