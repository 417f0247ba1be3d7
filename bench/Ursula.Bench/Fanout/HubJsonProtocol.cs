using System.Buffers;
using System.Text.Json;

namespace Ursula.Bench.Fanout;

/// <summary>The SignalR hub messages the fan-out's hub subscriber tells apart (message "type" numbers).</summary>
public enum HubMessageKind
{
    /// <summary>A record without a type: the server's answer to the handshake ({} or {"error": ...}).</summary>
    Handshake = 0,
    Invocation = 1,
    StreamItem = 2,
    Completion = 3,
    StreamInvocation = 4,
    CancelInvocation = 5,
    Ping = 6,
    Close = 7,
    Other = -1,
}

/// <summary>
/// One parsed record of the SignalR JSON hub protocol, as far as a stream subscriber needs it:
/// the message kind, its error (handshake, completion, close), and for a stream item the fields
/// of Ursula's subscription item (docs/signalr.md). Spans point into the record or the parser's
/// scratch buffer and are valid until the next parse.
/// </summary>
public ref struct HubRecord
{
    public HubMessageKind Kind;
    public ReadOnlySpan<byte> InvocationId;
    public ReadOnlySpan<byte> Data;
    public ReadOnlySpan<byte> NextOffset;
    public bool UpToDate;
    public bool Closed;
    public bool HasError;
    public ReadOnlySpan<byte> Error;
}

/// <summary>
/// The SignalR JSON hub protocol (version 1) spoken directly over a WebSocket, for a load
/// generator that must cost far less than the server it measures: records are UTF-8 JSON objects
/// each ended by the record separator 0x1E; the client opens with a handshake, starts a stream
/// with a StreamInvocation (type 4), receives StreamItems (type 2) and one Completion (type 3),
/// and keeps the connection alive with Pings (type 6). Parsing reads the record in place with
/// Utf8JsonReader and copies a string only when it holds JSON escapes.
/// </summary>
public sealed class HubJsonProtocol
{
    public const byte RecordSeparator = 0x1E;

    private byte[] _data = new byte[1024];
    private byte[] _offset = new byte[128];
    private byte[] _error = new byte[256];

    /// <summary>The client's handshake: the JSON protocol, version 1.</summary>
    public static ReadOnlySpan<byte> Handshake => "{\"protocol\":\"json\",\"version\":1}\u001e"u8;

    /// <summary>A ping; either side sends one so that the other does not time the connection out.</summary>
    public static ReadOnlySpan<byte> Ping => "{\"type\":6}\u001e"u8;

    /// <summary>Writes a StreamInvocation record (type 4) of <paramref name="target"/> with string arguments.</summary>
    public static void WriteStreamInvocation(IBufferWriter<byte> output, string invocationId, string target, params ReadOnlySpan<string> arguments)
    {
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type"u8, (int)HubMessageKind.StreamInvocation);
            writer.WriteString("invocationId"u8, invocationId);
            writer.WriteString("target"u8, target);
            writer.WriteStartArray("arguments"u8);
            foreach (var argument in arguments)
            {
                writer.WriteStringValue(argument);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.GetSpan(1)[0] = RecordSeparator;
        output.Advance(1);
    }

    /// <summary>Parses one record (without its separator); throws JsonException when it is not a JSON object.</summary>
    public HubRecord Parse(ReadOnlySpan<byte> record)
    {
        var parsed = new HubRecord { Kind = HubMessageKind.Handshake };
        var reader = new Utf8JsonReader(record);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a hub record must be a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                parsed.Kind = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var type) && type is >= 1 and <= 7
                    ? (HubMessageKind)type
                    : HubMessageKind.Other;
            }
            else if (reader.ValueTextEquals("invocationId"u8))
            {
                reader.Read();
                parsed.InvocationId = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped ? reader.ValueSpan : [];
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                parsed.HasError = reader.TokenType == JsonTokenType.String;
                parsed.Error = parsed.HasError ? Unescape(ref reader, ref _error) : [];
            }
            else if (reader.ValueTextEquals("item"u8))
            {
                reader.Read();
                ReadItem(ref reader, ref parsed);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return parsed;
    }

    private void ReadItem(scoped ref Utf8JsonReader reader, ref HubRecord parsed)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                parsed.Data = reader.TokenType == JsonTokenType.String ? Unescape(ref reader, ref _data) : [];
            }
            else if (reader.ValueTextEquals("nextOffset"u8))
            {
                reader.Read();
                parsed.NextOffset = reader.TokenType == JsonTokenType.String ? Unescape(ref reader, ref _offset) : [];
            }
            else if (reader.ValueTextEquals("upToDate"u8))
            {
                reader.Read();
                parsed.UpToDate = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("closed"u8))
            {
                reader.Read();
                parsed.Closed = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>The string value at the reader: in place when it has no escapes, else unescaped into scratch.</summary>
    private static ReadOnlySpan<byte> Unescape(scoped ref Utf8JsonReader reader, ref byte[] scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        // Unescaping never lengthens a string.
        if (scratch.Length < reader.ValueSpan.Length)
        {
            scratch = new byte[Math.Max(reader.ValueSpan.Length, scratch.Length * 2)];
        }

        return scratch.AsSpan(0, reader.CopyString(scratch));
    }
}
