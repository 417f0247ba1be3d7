// JSON mode: a POST body is one JSON value; a top-level array is flattened one level into its
// elements. Messages are stored as their original UTF-8 text joined by commas, which is exactly
// the inside of the JSON array a read returns, so reads never re-serialize.
using System.Buffers;
using System.Text.Json;

namespace Ursula.Server.Streams;

public readonly record struct JsonBatch(ReadOnlyMemory<byte> Payload, int Count);

public static class JsonMessages
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <summary>Validates and flattens a body; returns an error text for a 400 when it is not acceptable.</summary>
    public static bool TryFlatten(ReadOnlyMemory<byte> body, bool allowEmptyArray, out JsonBatch batch, out string? error)
    {
        batch = default;
        error = null;
        var span = body.Span;
        var reader = new Utf8JsonReader(span, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                error = "Invalid JSON: empty body";
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                if (reader.Read())
                {
                    error = "Invalid JSON: trailing content";
                    return false;
                }

                batch = new JsonBatch(body[start..end], 1);
                return true;
            }

            var spans = new List<(int Start, int End)>();
            while (true)
            {
                if (!reader.Read())
                {
                    error = "Invalid JSON: unterminated array";
                    return false;
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                spans.Add((start, (int)reader.BytesConsumed));
            }

            if (reader.Read())
            {
                error = "Invalid JSON: trailing content";
                return false;
            }

            if (spans.Count == 0)
            {
                if (!allowEmptyArray)
                {
                    error = "Empty JSON arrays cannot be appended";
                    return false;
                }

                batch = new JsonBatch(ReadOnlyMemory<byte>.Empty, 0);
                return true;
            }

            batch = new JsonBatch(Join(span, spans), spans.Count);
            return true;
        }
        catch (JsonException)
        {
            error = "Invalid JSON";
            return false;
        }
    }

    /// <summary>Byte ranges of the first <paramref name="count"/> messages of a stored payload.</summary>
    public static int PrefixLength(ReadOnlySpan<byte> payload, int count)
    {
        if (count <= 0)
        {
            return 0;
        }

        // The payload is "m1,m2,...": read it as the inside of an array to find element ends.
        var buffer = ArrayPool<byte>.Shared.Rent(payload.Length + 2);
        try
        {
            buffer[0] = (byte)'[';
            payload.CopyTo(buffer.AsSpan(1));
            buffer[payload.Length + 1] = (byte)']';
            var reader = new Utf8JsonReader(buffer.AsSpan(0, payload.Length + 2), ReaderOptions);
            reader.Read();
            for (var i = 0; i < count; i++)
            {
                reader.Read();
                reader.Skip();
            }

            return (int)reader.BytesConsumed - 1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Join(ReadOnlySpan<byte> source, List<(int Start, int End)> spans)
    {
        var total = spans.Count - 1;
        foreach (var (start, end) in spans)
        {
            total += end - start;
        }

        var result = new byte[total];
        var at = 0;
        for (var i = 0; i < spans.Count; i++)
        {
            if (i > 0)
            {
                result[at++] = (byte)',';
            }

            var (start, end) = spans[i];
            source[start..end].CopyTo(result.AsSpan(at));
            at += end - start;
        }

        return result;
    }
}
