using System.Buffers.Text;

namespace Ursula.Bench.Fanout;

/// <summary>
/// Fan-out payload: "t=&lt;19-digit Stopwatch timestamp&gt; s=&lt;10-digit sequence&gt; " padded with '.'
/// to the payload size (wrapped in quotes for application/json streams). Records are self-delimiting,
/// so a reader can find several of them in one SSE data event if a server batches appends.
/// </summary>
public static class TimestampPayload
{
    private const int TimestampDigits = 19;
    private const int SequenceDigits = 10;

    /// <summary>Bytes of one record without padding: "t=" + 19 + " s=" + 10 + " ".</summary>
    public const int RecordSize = 2 + TimestampDigits + 3 + SequenceDigits + 1;

    public static int MinimumSize(bool json) => RecordSize + (json ? 2 : 0);

    /// <summary>Fills the whole buffer: padding first (once), then the record.</summary>
    public static void Write(Span<byte> buffer, long sequence, long timestamp, bool json)
    {
        var record = json ? buffer[1..^1] : buffer;
        if (json)
        {
            buffer[0] = (byte)'"';
            buffer[^1] = (byte)'"';
        }

        record[RecordSize..].Fill((byte)'.');
        "t="u8.CopyTo(record);
        Utf8Formatter.TryFormat(timestamp, record[2..], out _, new System.Buffers.StandardFormat('D', TimestampDigits));
        " s="u8.CopyTo(record[(2 + TimestampDigits)..]);
        Utf8Formatter.TryFormat(
            sequence, record[(5 + TimestampDigits)..], out _, new System.Buffers.StandardFormat('D', SequenceDigits));
        record[RecordSize - 1] = (byte)' ';
    }

    /// <summary>Finds the next record at or after <paramref name="position"/> and advances past it.</summary>
    public static bool TryReadNext(ReadOnlySpan<byte> data, ref int position, out long sequence, out long timestamp)
    {
        sequence = 0;
        timestamp = 0;
        while (position < data.Length)
        {
            var found = data[position..].IndexOf("t="u8);
            if (found < 0)
            {
                position = data.Length;
                return false;
            }

            var start = position + found;
            position = start + 2;
            if (data.Length - start < RecordSize)
            {
                position = data.Length;
                return false;
            }

            var record = data.Slice(start, RecordSize);
            if (Utf8Parser.TryParse(record.Slice(2, TimestampDigits), out timestamp, out var tsLength)
                && tsLength == TimestampDigits
                && record.Slice(2 + TimestampDigits, 3).SequenceEqual(" s="u8)
                && Utf8Parser.TryParse(record.Slice(5 + TimestampDigits, SequenceDigits), out sequence, out var seqLength)
                && seqLength == SequenceDigits)
            {
                position = start + RecordSize;
                return true;
            }
        }

        return false;
    }
}
