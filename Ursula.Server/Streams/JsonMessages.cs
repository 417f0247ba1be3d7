// JSON mode: a POST body is one JSON value in UTF-8 (RFC 8259 section 8.1); a top-level array is
// flattened one level into its elements. Messages are stored as their original UTF-8 text joined
// by commas, which is exactly the inside of the JSON array a read returns, so reads never
// re-serialize.
using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

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
        if (!Utf8.IsValid(span))
        {
            // The reader checks the structure, not every byte inside strings.
            error = "Invalid JSON: the body is not valid UTF-8";
            return false;
        }

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

    /// <summary>
    /// True when a stored (or forwarded) payload is exactly <paramref name="count"/> JSON values
    /// joined by commas, in valid UTF-8: what <see cref="TryFlatten"/> makes of an acceptable body.
    /// </summary>
    public static bool IsFlattened(ReadOnlySpan<byte> payload, int count)
    {
        if (count <= 0 || count > payload.Length || !Utf8.IsValid(payload))
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(payload.Length + 2);
        try
        {
            var array = Bracket(payload, buffer);
            var reader = new Utf8JsonReader(array, ReaderOptions);
            reader.Read();
            var found = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip();
                found++;
            }

            return reader.TokenType == JsonTokenType.EndArray && reader.BytesConsumed == array.Length && !reader.Read() && found == count;
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
            var reader = new Utf8JsonReader(Bracket(payload, buffer), ReaderOptions);
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

    /// <summary>"[payload]" in <paramref name="buffer"/>: the inside of an array read as an array.</summary>
    private static ReadOnlySpan<byte> Bracket(ReadOnlySpan<byte> payload, byte[] buffer)
    {
        buffer[0] = (byte)'[';
        payload.CopyTo(buffer.AsSpan(1));
        buffer[payload.Length + 1] = (byte)']';
        return buffer.AsSpan(0, payload.Length + 2);
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
