// RFC 3339 timestamps (Stream-Expires-At): parsed the same way by the protocol layer, which
// rejects malformed values, and by apply, which turns a deadline into unix milliseconds.
using System.Globalization;

namespace Ursula.Server.Streams;

public static class Rfc3339
{
    /// <summary>RFC 3339 date-time with a zone designator (Z or ±hh:mm).</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 20 || text.Length > 40)
        {
            return false;
        }

        var t = text.Trim();
        var hasZone = t.EndsWith('Z') || t.EndsWith('z') || (t.Length > 6 && (t[^6] == '+' || t[^6] == '-') && t[^3] == ':');
        if (!hasZone || t.Length < 11 || (t[10] != 'T' && t[10] != 't' && t[10] != ' '))
        {
            return false;
        }

        return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }
}
