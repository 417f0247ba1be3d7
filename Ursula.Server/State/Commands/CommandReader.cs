// Reads command fields from a log entry. The same bytes carry commands a follower forwards to the
// leader, so reading is defensive: every read checks what is left, and truncated or hostile input
// (negative lengths, counts past the end, bytes that are not UTF-8) throws InvalidDataException.
using System.Buffers.Binary;
using System.Text;

namespace Ursula.Server.State.Commands;

/// <summary>Reads an entry; every read checks what is left, so bad input ends in InvalidDataException.</summary>
public struct CommandReader(ReadOnlyMemory<byte> source)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private int position;

    public readonly int Remaining => source.Length - position;

    public byte Byte() => Take(1)[0];

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var other => throw new InvalidDataException($"{other} is not a boolean."),
    };

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public long? NullableInt64() => Bool() ? Int64() : null;

    public string? String()
    {
        var length = Int32();
        if (length == -1)
        {
            return null;
        }

        try
        {
            return StrictUtf8.GetString(Take(Length(length)));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException("A string is not valid UTF-8.", e);
        }
    }

    /// <summary>A stream path: a string that is present.</summary>
    public string Path() => String() ?? throw new InvalidDataException("Command without a path.");

    /// <summary>A count-prefixed list of strings that are present.</summary>
    public List<string> Strings()
    {
        var count = Int32();
        if (count < 0 || count > Remaining / 4)
        {
            throw new InvalidDataException($"A count of {count} strings does not fit in the {Remaining} bytes left.");
        }

        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(String() ?? throw new InvalidDataException("A list holds a null string."));
        }

        return list;
    }

    public ReadOnlyMemory<byte> Bytes()
    {
        var length = Length(Int32());
        var v = source.Slice(position, length);
        position += length;
        return v;
    }

    public CommandBody Body()
    {
        var count = Int32();
        return new CommandBody(Bytes(), count);
    }

    private readonly int Length(int length) => length >= 0 && length <= Remaining
        ? length
        : throw new InvalidDataException($"A length of {length} does not fit in the {Remaining} bytes left.");

    private ReadOnlySpan<byte> Take(int count)
    {
        var span = source.Span.Slice(position, Length(count));
        position += count;
        return span;
    }
}
