// Strict parsers for protocol header values. Anything these reject is answered with 400
// before a command is ever sequenced.
using System.Globalization;

namespace Ursula.Server.Protocol;

public static class HeaderValues
{
    /// <summary>2^53-1: producer numbers must survive a round trip through JavaScript.</summary>
    public const long MaxSafeInteger = Streams.ProducerNumbers.Max;

    /// <summary>Only the exact word "true" (any case) turns a presence flag on; other values are ignored.</summary>
    public static bool IsTrue(string? value) => value is not null && value.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A canonical non-negative decimal: "0" or digits without a leading zero, sign or fraction.</summary>
    public static bool TryParseCanonicalInteger(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 16 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        return TryParseDigits(text, out value);
    }

    /// <summary>Producer epochs and sequence numbers: plain digits, at most 2^53-1.</summary>
    public static bool TryParseProducerNumber(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 16)
        {
            return false;
        }

        return TryParseDigits(text, out value) && value <= MaxSafeInteger;
    }

    private static bool TryParseDigits(string text, out long value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
