// SSE framing: "event: data" with one "data:" line per line of the payload, base64 for binary
// streams, and "event: control" with a one-line JSON object. Every event ends with a blank line.
// An SSE parser drops one space after "data:", so a line that itself begins with a space is
// written after "data: " (with the space), and keeps its own; other lines follow "data:" directly,
// which the official conformance suite requires ("data:line1"). Text lines end at CR, LF or CRLF,
// so those arrive as LF; base64 is byte-exact.
using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Ursula.Server.Protocol;

public static class SseFormat
{
    private static readonly byte[] DataEventHeader = "event: data\n"u8.ToArray();
    private static readonly byte[] ControlEventHeader = "event: control\ndata:"u8.ToArray();
    private static readonly byte[] DataPrefix = "data:"u8.ToArray();
    private static readonly byte[] SpacedDataPrefix = "data: "u8.ToArray();

    public static void WriteDataEvent(IBufferWriter<byte> writer, IReadOnlyList<ReadOnlyMemory<byte>> parts, bool json, bool base64)
    {
        writer.Write(DataEventHeader);
        if (base64)
        {
            WriteBase64(writer, parts);
        }
        else
        {
            var lines = new LineWriter(writer);
            if (json)
            {
                lines.Write("["u8);
            }

            for (var i = 0; i < parts.Count; i++)
            {
                if (json && i > 0)
                {
                    lines.Write(","u8);
                }

                lines.Write(parts[i].Span);
            }

            if (json)
            {
                lines.Write("]"u8);
            }

            lines.Finish();
        }

        writer.Write("\n"u8);
    }

    public static void WriteControlEvent(IBufferWriter<byte> writer, SseControl control)
    {
        writer.Write(ControlEventHeader);
        using (var json = new Utf8JsonWriter(writer))
        {
            JsonSerializer.Serialize(json, control, ProtocolJsonContext.Default.SseControl);
        }

        writer.Write("\n\n"u8);
    }

    private static void WriteBase64(IBufferWriter<byte> writer, IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        var total = 0;
        foreach (var part in parts)
        {
            total += part.Length;
        }

        // One base64 text for the whole event, so padding only ever appears at its end.
        var source = ArrayPool<byte>.Shared.Rent(Math.Max(1, total));
        try
        {
            var at = 0;
            foreach (var part in parts)
            {
                part.Span.CopyTo(source.AsSpan(at));
                at += part.Length;
            }

            writer.Write(DataPrefix);
            var encodedLength = Base64.GetMaxEncodedToUtf8Length(total);
            var span = writer.GetSpan(encodedLength);
            Base64.EncodeToUtf8(source.AsSpan(0, total), span, out _, out var written);
            writer.Advance(written);
            writer.Write("\n"u8);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(source);
        }
    }

    /// <summary>Splits text into "data:" lines on CR, LF and CRLF, across part boundaries.</summary>
    private ref struct LineWriter(IBufferWriter<byte> writer)
    {
        private bool lineOpen;
        private bool afterCarriageReturn;

        public void Write(ReadOnlySpan<byte> text)
        {
            while (!text.IsEmpty)
            {
                if (afterCarriageReturn && text[0] == (byte)'\n')
                {
                    text = text[1..];
                    afterCarriageReturn = false;
                    continue;
                }

                afterCarriageReturn = false;
                if (!lineOpen)
                {
                    writer.Write(text[0] == (byte)' ' ? SpacedDataPrefix : DataPrefix);
                    lineOpen = true;
                }

                var end = text.IndexOfAny((byte)'\r', (byte)'\n');
                if (end < 0)
                {
                    writer.Write(text);
                    return;
                }

                writer.Write(text[..end]);
                writer.Write("\n"u8);
                lineOpen = false;
                afterCarriageReturn = text[end] == (byte)'\r';
                text = text[(end + 1)..];
            }
        }

        public readonly void Finish()
        {
            // An empty payload, or one ending in a line break, still ends with a (empty) data line.
            if (!lineOpen)
            {
                writer.Write(DataPrefix);
            }

            writer.Write("\n"u8);
        }
    }
}
