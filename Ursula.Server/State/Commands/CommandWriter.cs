// Writes command fields into a log entry: little-endian numbers, length-prefixed UTF-8 strings
// (-1 for null) and byte strings.
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Ursula.Server.State.Commands;

public ref struct CommandWriter(IBufferWriter<byte> output)
{
    public readonly void Byte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public readonly void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public readonly void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public readonly void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public readonly void NullableInt64(long? value)
    {
        Bool(value.HasValue);
        if (value.HasValue)
        {
            Int64(value.Value);
        }
    }

    public readonly void String(string? value)
    {
        if (value is null)
        {
            Int32(-1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        Int32(length);
        var written = Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(written);
    }

    public readonly void Strings(IReadOnlyList<string> values)
    {
        Int32(values.Count);
        foreach (var value in values)
        {
            String(value);
        }
    }

    /// <summary>Bytes <see cref="Strings"/> writes for a list.</summary>
    public static int SizeOf(IReadOnlyList<string> values) => 4 + values.Sum(v => SizeOf(v));

    public readonly void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }

    public readonly void Body(CommandBody body)
    {
        Int32(body.JsonCount);
        Bytes(body.Payload.Span);
    }

    /// <summary>Bytes <see cref="String"/> writes for a value.</summary>
    public static int SizeOf(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    /// <summary>Bytes <see cref="Body"/> writes for a body.</summary>
    public static int SizeOf(CommandBody body) => 4 + 4 + body.Payload.Length;
}
