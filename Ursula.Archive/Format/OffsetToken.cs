// The protocol's offset text for a position: sixteen zero digits (the reserved high half), an
// underscore, and the position as sixteen zero-padded digits. It is the same text the server's
// StreamOffset mints, so archived rows carry the offsets clients saw; a test keeps the two equal.
using System.Globalization;

namespace Ursula.Archive.Format;

public static class OffsetToken
{
    public const int Length = 33;
    public const long MaxPosition = 9_999_999_999_999_999;
    private const string HighHalf = "0000000000000000_";

    public static string Format(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, MaxPosition);
        return string.Create(Length, position, static (span, value) =>
        {
            HighHalf.CopyTo(span);
            value.TryFormat(span[HighHalf.Length..], out _, "D16", CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Parses a token whose high half is zero (the only kind minted so far).</summary>
    public static bool TryParse(ReadOnlySpan<char> token, out long position)
    {
        position = 0;
        return token.Length == Length
            && token.StartsWith(HighHalf, StringComparison.Ordinal)
            && long.TryParse(token[HighHalf.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out position);
    }
}
