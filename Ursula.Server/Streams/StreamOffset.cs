// Offsets are opaque to clients but fixed-width here: "HHHHHHHHHHHHHHHH_PPPPPPPPPPPPPPPP",
// sixteen decimal digits each side. The right half is the position in the stream (bytes for
// byte streams, messages for JSON streams); the left half is reserved and always zero today, so
// that a later layout change (for example archive segment numbers) can still sort after every
// offset minted so far. The all-zero offset is the start of every stream.
namespace Ursula.Server.Streams;

public readonly record struct StreamOffset(long High, long Position) : IComparable<StreamOffset>
{
    public const int TextLength = 33;
    private const long MaxPart = 9_999_999_999_999_999;

    public static StreamOffset Start => default;

    public static StreamOffset At(long position) => new(0, position);

    public int CompareTo(StreamOffset other)
    {
        var c = High.CompareTo(other.High);
        return c != 0 ? c : Position.CompareTo(other.Position);
    }

    public static bool operator <(StreamOffset a, StreamOffset b) => a.CompareTo(b) < 0;
    public static bool operator >(StreamOffset a, StreamOffset b) => a.CompareTo(b) > 0;
    public static bool operator <=(StreamOffset a, StreamOffset b) => a.CompareTo(b) <= 0;
    public static bool operator >=(StreamOffset a, StreamOffset b) => a.CompareTo(b) >= 0;

    public override string ToString() => Format(Position, High);

    public static string Format(long position, long high = 0)
    {
        return string.Create(TextLength, (high, position), static (span, state) =>
        {
            WriteDigits(span[..16], state.high);
            span[16] = '_';
            WriteDigits(span[17..], state.position);
        });
    }

    /// <summary>Parses a server-minted offset; sentinels (-1, now) are handled by the caller.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out StreamOffset offset)
    {
        offset = default;
        if (text.Length != TextLength || text[16] != '_')
        {
            return false;
        }

        if (!TryReadDigits(text[..16], out var high) || !TryReadDigits(text[17..], out var position))
        {
            return false;
        }

        offset = new StreamOffset(high, position);
        return true;
    }

    private static void WriteDigits(Span<char> span, long value)
    {
        if (value is < 0 or > MaxPart)
        {
            throw new ArgumentOutOfRangeException(nameof(value));
        }

        for (var i = span.Length - 1; i >= 0; i--)
        {
            span[i] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
    }

    private static bool TryReadDigits(ReadOnlySpan<char> span, out long value)
    {
        value = 0;
        foreach (var c in span)
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
