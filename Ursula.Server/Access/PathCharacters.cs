// The configurable character set of stream paths (Limits:PathCharacters), on top of the rules
// every path obeys (Streams/StreamPath): applied to the paths clients name over HTTP and the hub.
using System.Globalization;
using System.Text;

namespace Ursula.Server.Access;

public static class PathCharacters
{
    private const string AsciiPunctuation = "-._~!$&'()*+,;=:@/%";

    /// <summary>Null when every character of <paramref name="path"/> is in the set, else the reason for a 400.</summary>
    public static string? Check(string path, PathCharacterSet set)
    {
        switch (set)
        {
            case PathCharacterSet.Visible:
                foreach (var rune in path.EnumerateRunes())
                {
                    var category = Rune.GetUnicodeCategory(rune);
                    if ((Rune.IsWhiteSpace(rune) && rune.Value != ' ') || category is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                    {
                        return $"Stream paths may not contain whitespace other than spaces, or invisible characters (found U+{rune.Value:X4}; Limits:PathCharacters is Visible)";
                    }
                }

                return null;
            case PathCharacterSet.Ascii:
                foreach (var c in path)
                {
                    if (!char.IsAsciiLetterOrDigit(c) && !AsciiPunctuation.Contains(c, StringComparison.Ordinal))
                    {
                        return $"Stream paths may hold only ASCII letters, digits and {AsciiPunctuation} (found U+{(int)c:X4}; Limits:PathCharacters is Ascii)";
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
