// Writes subscription items in the JSON hub protocol from one encoding per item: live subscribers
// of a stream at one position share one StreamItem (StreamItemEncoder), so a thousand of them
// cost one JSON encoding of its data per append instead of a thousand; each connection copies
// the bytes into its own message. The bytes are what the serializer would write for the record
// with SignalR's payload options (camelCase names, their encoder); the contract is docs/signalr.md.
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ursula.Server.Hub;

public sealed class StreamItemJsonConverter : JsonConverter<StreamItem>
{
    private static readonly ConditionalWeakTable<StreamItem, byte[]> Encoded = [];

    public override StreamItem Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Subscription items travel from the node to clients only");

    public override void Write(Utf8JsonWriter writer, StreamItem value, JsonSerializerOptions options)
    {
        if (!Encoded.TryGetValue(value, out var json))
        {
            json = Encode(value, options);
            Encoded.TryAdd(value, json);
        }

        writer.WriteRawValue(json, skipInputValidation: true);
    }

    /// <summary>The item as one JSON object.</summary>
    internal static byte[] Encode(StreamItem value, JsonSerializerOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(value.Data.Length + value.NextOffset.Length + 64);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
        {
            json.WriteStartObject();
            json.WriteString("data"u8, value.Data);
            json.WriteString("nextOffset"u8, value.NextOffset);
            json.WriteBoolean("upToDate"u8, value.UpToDate);
            json.WriteBoolean("closed"u8, value.Closed);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
