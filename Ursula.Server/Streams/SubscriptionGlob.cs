// The protocol's glob over stream-root-relative paths: a segment "**" matches zero or more whole
// segments; "*" inside a segment matches any run of characters of that segment (so a segment "*"
// is exactly one segment, and "sync-*" one segment starting with "sync-"). Everything else is
// literal and case-sensitive, as stream paths are.
namespace Ursula.Server.Streams;

public static class SubscriptionGlob
{
    /// <summary>Null when <paramref name="pattern"/> is a usable glob, else the reason for a 400.</summary>
    public static string? Check(string pattern)
    {
        if (pattern.Length is 0 or > 1024)
        {
            return "pattern must be 1 to 1024 characters";
        }

        foreach (var segment in pattern.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                return "pattern may not contain empty or dot segments";
            }

            if (segment.Contains("**", StringComparison.Ordinal) && segment != "**")
            {
                return "** must be a whole segment of the pattern";
            }

            if (segment == StreamPath.SubscriptionSegment)
            {
                return "pattern may not name the reserved __ds segment";
            }
        }

        return null;
    }

    /// <summary>True when the root-relative <paramref name="path"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string pattern, string path)
    {
        // Dynamic programming over (pattern segment, path segment): linear in their product, so
        // no pattern of repeated ** can make matching exponential.
        var p = pattern.Split('/');
        var s = path.Split('/');
        var next = new bool[s.Length + 1];
        next[s.Length] = true;
        for (var i = p.Length - 1; i >= 0; i--)
        {
            var row = new bool[s.Length + 1];
            for (var j = s.Length; j >= 0; j--)
            {
                row[j] = p[i] == "**"
                    ? next[j] || (j < s.Length && row[j + 1])
                    : j < s.Length && next[j + 1] && MatchSegment(p[i], s[j]);
            }

            next = row;
        }

        return next[0];
    }

    /// <summary>One segment against one pattern segment where "*" is any run of characters (two-pointer, no backtracking blow-up).</summary>
    private static bool MatchSegment(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
