using System.Text;
using Ursula.Server.Protocol;
using Ursula.Server.Streams;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class JsonMessagesTests
{
    [Theory]
    [InlineData("{\"a\":1}", "{\"a\":1}", 1)]
    [InlineData("[{\"a\":1},{\"b\":2}]", "{\"a\":1},{\"b\":2}", 2)]
    [InlineData("[[1,2],[3,4]]", "[1,2],[3,4]", 2)]
    [InlineData("[[[1,2,3]]]", "[[1,2,3]]", 1)]
    [InlineData("  \"text\"  ", "\"text\"", 1)]
    [InlineData("42", "42", 1)]
    [InlineData("[null, true, 1.5e3]", "null,true,1.5e3", 3)]
    public void A_body_is_flattened_exactly_one_level(string body, string stored, int count)
    {
        Assert.True(JsonMessages.TryFlatten(Encoding.UTF8.GetBytes(body), allowEmptyArray: false, out var batch, out var error), error);
        Assert.Equal(stored, Encoding.UTF8.GetString(batch.Payload.Span));
        Assert.Equal(count, batch.Count);
    }

    [Theory]
    [InlineData("{ invalid json }")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("[1,2")]
    [InlineData("[1,]")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("'single'")]
    public void Invalid_json_is_refused(string body)
    {
        Assert.False(JsonMessages.TryFlatten(Encoding.UTF8.GetBytes(body), allowEmptyArray: true, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void An_empty_array_is_refused_for_appends_and_allowed_for_creates()
    {
        var body = Encoding.UTF8.GetBytes("[]");
        Assert.False(JsonMessages.TryFlatten(body, allowEmptyArray: false, out _, out _));
        Assert.True(JsonMessages.TryFlatten(body, allowEmptyArray: true, out var batch, out _));
        Assert.Equal(0, batch.Count);
    }

    [Theory]
    [InlineData("{\"a\":1},{\"b\":[2,3]},\"c,d\"", 0, "")]
    [InlineData("{\"a\":1},{\"b\":[2,3]},\"c,d\"", 1, "{\"a\":1}")]
    [InlineData("{\"a\":1},{\"b\":[2,3]},\"c,d\"", 2, "{\"a\":1},{\"b\":[2,3]}")]
    [InlineData("{\"a\":1},{\"b\":[2,3]},\"c,d\"", 3, "{\"a\":1},{\"b\":[2,3]},\"c,d\"")]
    public void The_prefix_of_a_stored_batch_ends_on_a_message_boundary(string payload, int count, string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        var length = JsonMessages.PrefixLength(bytes, count);
        Assert.Equal(prefix, Encoding.UTF8.GetString(bytes, 0, length));
    }

    [Fact]
    public void A_body_that_is_not_valid_UTF8_is_refused_even_inside_a_string()
    {
        byte[] body = [.. "{\"a\":\""u8, 0xFF, .. "\"}"u8];
        Assert.False(JsonMessages.TryFlatten(body, allowEmptyArray: false, out _, out var error));
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"a\":1},{\"b\":2}", 2, true)]
    [InlineData("42", 1, true)]
    [InlineData("{\"a\":1},{\"b\":2}", 1, false)]
    [InlineData("{\"a\":1},{\"b\":2}", 3, false)]
    [InlineData("[}}not json{{", 1, false)]
    [InlineData("1],[2", 2, false)]
    [InlineData("1,,2", 2, false)]
    [InlineData("", 1, false)]
    [InlineData("1", 0, false)]
    [InlineData("1", -5, false)]
    public void A_flattened_payload_is_exactly_its_message_count_of_JSON_values(string payload, int count, bool expected) =>
        Assert.Equal(expected, JsonMessages.IsFlattened(Encoding.UTF8.GetBytes(payload), count));
}
