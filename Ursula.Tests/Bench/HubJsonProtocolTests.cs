using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Ursula.Bench.Fanout;
using Ursula.Server.Hub;

namespace Ursula.Tests.Bench;

/// <summary>
/// The fan-out's own SignalR client against the real thing: records written by ASP.NET Core's
/// JsonHubProtocol (what the node sends) are cut and parsed by HubRecordBuffer and
/// HubJsonProtocol, and the invocation the client writes is read back by JsonHubProtocol.
/// </summary>
[Trait("Category", "Unit")]
public sealed class HubJsonProtocolTests
{
    private static readonly JsonHubProtocol Server = new();

    private static byte[] Encode(params HubMessage[] messages)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            Server.WriteMessage(message, output);
        }

        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Stream_items_are_parsed_with_their_data_unescaped_and_their_offsets()
    {
        var data = "t=\"quoted\" \\ tab\t é 🚀 <b>+</b>";
        var bytes = Encode(new StreamItemMessage("7", new StreamItem(data, "0000000000000000_0000000000000042", true, false)));
        var buffer = Fill(bytes);

        Assert.True(buffer.TryRead(out var record));
        var item = new HubJsonProtocol().Parse(record);

        Assert.Equal(HubMessageKind.StreamItem, item.Kind);
        Assert.Equal("7", Encoding.UTF8.GetString(item.InvocationId));
        Assert.Equal(data, Encoding.UTF8.GetString(item.Data));
        Assert.Equal("0000000000000000_0000000000000042", Encoding.UTF8.GetString(item.NextOffset));
        Assert.True(item.UpToDate);
        Assert.False(item.Closed);
        Assert.False(item.HasError);
        Assert.False(buffer.TryRead(out _));
    }

    [Fact]
    public void Completions_pings_closes_and_handshake_answers_are_told_apart()
    {
        var handshake = new ArrayBufferWriter<byte>();
        HandshakeProtocol.WriteResponseMessage(HandshakeResponseMessage.Empty, handshake);
        var refused = new ArrayBufferWriter<byte>();
        HandshakeProtocol.WriteResponseMessage(new HandshakeResponseMessage("no \"json\" here"), refused);
        var bytes = handshake.WrittenSpan.ToArray()
            .Concat(refused.WrittenSpan.ToArray())
            .Concat(Encode(
                new StreamItemMessage("1", new StreamItem("", "0000000000000001_0000000000000000", true, true)),
                CompletionMessage.Empty("1"),
                CompletionMessage.WithError("2", "404 Not Found: Stream not found: /x"),
                PingMessage.Instance,
                new CloseMessage("shutting down", allowReconnect: true)))
            .ToArray();
        var buffer = Fill(bytes);
        var protocol = new HubJsonProtocol();

        var kinds = new List<(HubMessageKind Kind, string? Error, bool Closed)>();
        while (buffer.TryRead(out var record))
        {
            var parsed = protocol.Parse(record);
            kinds.Add((parsed.Kind, parsed.HasError ? Encoding.UTF8.GetString(parsed.Error) : null, parsed.Closed));
        }

        Assert.Equal(
            [
                (HubMessageKind.Handshake, null, false),
                (HubMessageKind.Handshake, "no \"json\" here", false),
                (HubMessageKind.StreamItem, null, true),
                (HubMessageKind.Completion, null, false),
                (HubMessageKind.Completion, "404 Not Found: Stream not found: /x", false),
                (HubMessageKind.Ping, null, false),
                (HubMessageKind.Close, "shutting down", false),
            ],
            kinds);
    }

    [Fact]
    public void A_record_split_over_receives_at_any_byte_is_found_whole()
    {
        var item = new StreamItem(new string('x', 100) + " t=0000000000000000042 s=0000000003 ", "0000000000000000_0000000000000100", false, false);
        var bytes = Encode(new StreamItemMessage("1", item), new StreamItemMessage("1", item));

        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var buffer = new HubRecordBuffer(initialSize: 8); // small: it must grow as well
            var records = new List<string>();
            foreach (var part in new[] { bytes[..cut], bytes[cut..] })
            {
                var remaining = part.AsSpan();
                while (!remaining.IsEmpty)
                {
                    var memory = buffer.GetReceiveMemory();
                    var n = Math.Min(memory.Length, remaining.Length);
                    remaining[..n].CopyTo(memory.Span);
                    buffer.Advance(n);
                    remaining = remaining[n..];
                    while (buffer.TryRead(out var record))
                    {
                        records.Add(Encoding.UTF8.GetString(new HubJsonProtocol().Parse(record).Data));
                    }
                }
            }

            Assert.Equal([item.Data, item.Data], records);
        }
    }

    [Fact]
    public void The_stream_invocation_is_what_the_server_reads_as_Subscribe_path_offset()
    {
        var output = new ArrayBufferWriter<byte>();
        HubJsonProtocol.WriteStreamInvocation(output, "3", "Subscribe", "/r1/\"fan\"out", "0000000000000000_0000000000000007");
        var written = new ReadOnlySequence<byte>(output.WrittenMemory);

        Assert.Equal(HubJsonProtocol.RecordSeparator, output.WrittenSpan[^1]);
        Assert.True(Server.TryParseMessage(ref written, new SubscribeBinder(), out var message));
        var invocation = Assert.IsType<StreamInvocationMessage>(message);
        Assert.Equal("3", invocation.InvocationId);
        Assert.Equal("Subscribe", invocation.Target);
        Assert.Equal(["/r1/\"fan\"out", "0000000000000000_0000000000000007"], invocation.Arguments);
        Assert.True(written.IsEmpty);
    }

    [Fact]
    public void The_handshake_and_ping_are_records_the_server_accepts()
    {
        var handshake = new ReadOnlySequence<byte>(HubJsonProtocol.Handshake.ToArray());
        Assert.True(HandshakeProtocol.TryParseRequestMessage(ref handshake, out var request));
        Assert.Equal(("json", 1), (request.Protocol, request.Version));

        var ping = new ReadOnlySequence<byte>(HubJsonProtocol.Ping.ToArray());
        Assert.True(Server.TryParseMessage(ref ping, new SubscribeBinder(), out var message));
        Assert.IsType<PingMessage>(message);
    }

    [Fact]
    public void A_record_that_is_not_a_json_object_is_refused()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() =>
        {
            new HubJsonProtocol().Parse("[1]"u8);
        });
    }

    private static HubRecordBuffer Fill(byte[] bytes)
    {
        var buffer = new HubRecordBuffer();
        var memory = buffer.GetReceiveMemory();
        bytes.CopyTo(memory.Span);
        buffer.Advance(bytes.Length);
        return buffer;
    }

    private sealed class SubscribeBinder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(string), typeof(string)];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
