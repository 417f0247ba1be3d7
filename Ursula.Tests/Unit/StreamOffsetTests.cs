using Ursula.Server.Protocol;
using Ursula.Server.Streams;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class StreamOffsetTests
{
    [Fact]
    public void The_start_of_every_stream_is_the_all_zero_offset()
    {
        Assert.Equal("0000000000000000_0000000000000000", StreamOffset.Format(0));
        Assert.Equal("0000000000000000_0000000000000000", StreamOffset.Start.ToString());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(5L)]
    [InlineData(1_234_567_890_123L)]
    [InlineData(9_999_999_999_999_999L)]
    public void Offsets_round_trip_through_their_text(long position)
    {
        var text = StreamOffset.Format(position);
        Assert.Equal(StreamOffset.TextLength, text.Length);
        Assert.True(StreamOffset.TryParse(text, out var parsed));
        Assert.Equal(position, parsed.Position);
        Assert.Equal(0, parsed.High);
    }

    [Fact]
    public void Text_order_is_position_order_under_ordinal_comparison()
    {
        var positions = new long[] { 0, 1, 9, 10, 99, 100, 255, 4096, 1_000_000, 9_999_999_999 };
        for (var i = 1; i < positions.Length; i++)
        {
            Assert.True(string.CompareOrdinal(StreamOffset.Format(positions[i - 1]), StreamOffset.Format(positions[i])) < 0);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("now")]
    [InlineData("0")]
    [InlineData("0000000000000000-0000000000000000")]
    [InlineData("000000000000000_00000000000000000")]
    [InlineData("0000000000000000_000000000000000a")]
    [InlineData("0000000000000000_0000000000000000 ")]
    [InlineData("+000000000000000_0000000000000000")]
    public void Malformed_offsets_are_rejected(string text)
    {
        Assert.False(StreamOffset.TryParse(text, out _));
    }

    [Fact]
    public void Offsets_never_contain_characters_reserved_in_query_strings()
    {
        var text = StreamOffset.Format(123_456);
        Assert.DoesNotContain(text, c => c is ',' or '&' or '=' or '?' or '/');
    }
}
