// Turns tail reader items into subscription items for one subscriber: UTF-8 text for text
// streams, the messages as one JSON array text for JSON streams, base64 for everything else (the
// same split as SSE). A text chunk cut inside a UTF-8 character (only a record larger than an
// item does that) keeps the character's first bytes back for the next item, and its nextOffset
// points before them, so that text never arrives with a broken character and a client resuming
// from any nextOffset reads the character whole. Live subscribers of a stream at one position get
// the same ReadSlice from the tail reader, and with it one shared encoded item: a thousand
// subscribers cost one decoding per append, not a thousand.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Ursula.Server.State.Reading;
using Ursula.Server.Streams;

namespace Ursula.Server.Hub;

public sealed class StreamItemEncoder(string contentType)
{
    private static readonly ConditionalWeakTable<ReadSlice, StreamItem> Shared = [];

    private readonly bool json = ContentTypes.IsJson(contentType);
    private readonly bool text = ContentTypes.IsSseText(contentType);
    private byte[] carry = [];

    public StreamItem Encode(TailItem item)
    {
        if (item.Slice is { } shareable && carry.Length == 0)
        {
            if (Shared.TryGetValue(shareable, out var shared))
            {
                return shared;
            }

            var encoded = EncodeOwn(item);
            if (carry.Length == 0)
            {
                Shared.TryAdd(shareable, encoded);
            }

            return encoded;
        }

        return EncodeOwn(item);
    }

    private StreamItem EncodeOwn(TailItem item)
    {
        var slice = item.Slice;
        var next = item.Position;
        string data;
        if (json)
        {
            data = slice is null ? "[]" : JsonArray(slice.Parts);
        }
        else if (slice is null)
        {
            data = string.Empty;
            next -= carry.Length;
        }
        else
        {
            var bytes = Concat(carry, slice.Parts);
            if (text)
            {
                var incomplete = item.UpToDate ? 0 : IncompleteTail(bytes);
                carry = bytes[(bytes.Length - incomplete)..];
                data = Encoding.UTF8.GetString(bytes, 0, bytes.Length - incomplete);
                next -= incomplete;
            }
            else
            {
                data = Convert.ToBase64String(bytes);
            }
        }

        return new StreamItem(data, StreamOffset.Format(next), item.UpToDate, item.Closed);
    }

    private static string JsonArray(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        var length = 2 + Math.Max(0, parts.Count - 1);
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var at = 0;
            buffer[at++] = (byte)'[';
            for (var i = 0; i < parts.Count; i++)
            {
                if (i > 0)
                {
                    buffer[at++] = (byte)',';
                }

                parts[i].Span.CopyTo(buffer.AsSpan(at));
                at += parts[i].Length;
            }

            buffer[at++] = (byte)']';
            return Encoding.UTF8.GetString(buffer, 0, at);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Concat(byte[] prefix, IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        var length = prefix.Length;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var bytes = new byte[length];
        prefix.CopyTo(bytes, 0);
        var at = prefix.Length;
        foreach (var part in parts)
        {
            part.Span.CopyTo(bytes.AsSpan(at));
            at += part.Length;
        }

        return bytes;
    }

    /// <summary>How many bytes at the end begin a UTF-8 character that the data does not finish (0 to 3).</summary>
    internal static int IncompleteTail(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            // A lead byte: how long is its character?
            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? back : 0;
        }

        return 0;
    }
}
