using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Ursula.Server.Hub;

namespace Ursula.Tests.Hub;

/// <summary>
/// The hub's JSON protocol writes subscription items from one encoding per item: what it writes
/// must be what the serializer writes for the record itself, escapes included, and every write of
/// one shared item the same.
/// </summary>
[Trait("Category", "Unit")]
public sealed class StreamItemJsonConverterTests
{
    public static TheoryData<string> Data => ["", "plain text", "t=\"quoted\" \\ back\tslash\n", "é 🚀 <b>+</b> &amp; '\u0001'", "[{\"a\":1},{\"b\":2}]"];

    [Theory]
    [MemberData(nameof(Data))]
    public void An_item_is_written_as_the_serializer_writes_the_record(string data)
    {
        var item = new StreamItem(data, "0000000000000003_0000000000000042", true, false);
        var plain = new JsonHubProtocol();
        var options = new JsonHubProtocolOptions();
        options.PayloadSerializerOptions.Converters.Add(new StreamItemJsonConverter());
        var converted = new JsonHubProtocol(Options.Create(options));

        var expected = Write(plain, new StreamItemMessage("1", item));
        var first = Write(converted, new StreamItemMessage("1", item));
        var again = Write(converted, new StreamItemMessage("2", item));

        Assert.Equal(expected, first);
        Assert.Equal(expected.Replace("\"invocationId\":\"1\"", "\"invocationId\":\"2\""), again);
        using var parsed = JsonDocument.Parse(first.TrimEnd('\u001e'));
        Assert.Equal(data, parsed.RootElement.GetProperty("item").GetProperty("data").GetString());
    }

    private static string Write(JsonHubProtocol protocol, HubMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(message, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
