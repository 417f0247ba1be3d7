using System.Text;
using Ursula.Archive.Format;
using Ursula.Archive.Layout;
using Ursula.Server.Streams;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ArchiveFormatTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(17L)]
    [InlineData(1_234_567_890_123L)]
    [InlineData(9_999_999_999_999_999L)]
    public void Archived_offsets_are_the_tokens_the_server_mints(long position)
    {
        Assert.Equal(StreamOffset.Format(position), OffsetToken.Format(position));
        Assert.True(OffsetToken.TryParse(StreamOffset.Format(position), out var parsed));
        Assert.Equal(position, parsed);
    }

    [Theory]
    [InlineData("0000000000000001_0000000000000000")]
    [InlineData("0000000000000000-0000000000000000")]
    [InlineData("0000000000000000_00000000000000x0")]
    [InlineData("-1")]
    public void Tokens_with_another_high_half_or_shape_do_not_parse(string token) => Assert.False(OffsetToken.TryParse(token, out _));

    [Fact]
    public void A_json_record_splits_into_its_messages_whatever_they_contain()
    {
        var payload = Encoding.UTF8.GetBytes(string.Join(',', ArchiveTestData.TrickyMessages));
        var parts = JsonMessageSplitter.Split(payload).Select(p => Encoding.UTF8.GetString(payload, p.Offset, p.Length));

        Assert.Equal(ArchiveTestData.TrickyMessages, parts);
    }

    [Theory]
    [InlineData("1 ,2")]
    [InlineData("1,")]
    [InlineData(",1")]
    [InlineData("{\"a\":1")]
    [InlineData("1;2")]
    public void A_payload_that_is_not_comma_joined_messages_is_refused(string payload) =>
        Assert.Throws<FormatException>(() => JsonMessageSplitter.Split(Encoding.UTF8.GetBytes(payload)));

    [Theory]
    [InlineData("application/json", true, true)]
    [InlineData("Application/JSON; charset=utf-8", true, true)]
    [InlineData("text/plain", false, true)]
    [InlineData("text/csv;charset=utf-8", false, true)]
    [InlineData("application/octet-stream", false, false)]
    public void Content_types_decide_rows_and_text(string contentType, bool json, bool text)
    {
        Assert.Equal(json, MediaTypes.IsJson(contentType));
        Assert.Equal(text, MediaTypes.HasText(contentType));
    }

    [Fact]
    public void Data_keys_are_dated_versioned_and_end_in_parquet_and_nothing_else_does()
    {
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);
        var id = ArchiveKeys.NewObjectId(at);
        var key = ArchiveKeys.DataKey(at, id);

        Assert.StartsWith("20260304T050607890Z-", id, StringComparison.Ordinal);
        Assert.Equal($"v1/data/2026/03/04/{id}.parquet", key);
        Assert.True(ArchiveKeys.IsDataKey(key));
        Assert.Equal(id, ArchiveKeys.ObjectIdOf(key));
        Assert.NotEqual(id, ArchiveKeys.NewObjectId(at));
        Assert.Equal("v1/meta/restore.json", ArchiveKeys.MetaKey("restore.json"));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.MetaKey("sneaky.parquet"));
        Assert.False(ArchiveKeys.IsDataKey("v1/meta/restore.json"));
    }
}
