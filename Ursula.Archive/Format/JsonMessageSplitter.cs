// A JSON stream's record payload is its messages' texts joined by commas (the inside of the array
// a read returns). Splitting walks it with Utf8JsonReader one value at a time, so commas, brackets
// and quotes inside a message never split it. It is strict: anything but a bare comma between two
// values is an error, because a lenient split could not be joined back byte for byte.
using System.Text.Json;

namespace Ursula.Archive.Format;

public static class JsonMessageSplitter
{
    private static readonly JsonReaderOptions Options = new() { AllowMultipleValues = true, MaxDepth = 256 };

    /// <summary>The (offset, length) of each message in the payload.</summary>
    public static List<(int Offset, int Length)> Split(ReadOnlySpan<byte> payload)
    {
        var messages = new List<(int, int)>();
        var position = 0;
        while (position < payload.Length)
        {
            var reader = new Utf8JsonReader(payload[position..], Options);
            int consumed;
            try
            {
                if (!reader.Read())
                {
                    throw new FormatException($"No JSON value at byte {position} of a JSON record.");
                }

                reader.Skip();
                consumed = (int)reader.BytesConsumed;
            }
            catch (JsonException ex)
            {
                throw new FormatException($"A JSON record is not comma-joined JSON messages (byte {position}): {ex.Message}", ex);
            }

            if (consumed == 0 || payload[position] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                throw new FormatException($"Whitespace before the message at byte {position} of a JSON record.");
            }

            messages.Add((position, consumed));
            position += consumed;
            if (position < payload.Length)
            {
                if (payload[position] != (byte)',' || position == payload.Length - 1)
                {
                    throw new FormatException($"Expected a comma between messages at byte {position} of a JSON record.");
                }

                position++;
            }
        }

        return messages;
    }
}
