using Ursula.Server.Protocol;
using Ursula.Server.Streams;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class HeaderValuesTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("3600", 3600L)]
    [InlineData("99999", 99999L)]
    public void Canonical_integers_parse(string text, long expected)
    {
        Assert.True(HeaderValues.TryParseCanonicalInteger(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("00060")]
    [InlineData("+60")]
    [InlineData("60.5")]
    [InlineData("1e3")]
    [InlineData(" 60")]
    [InlineData("99999999999999999999")]
    public void Non_canonical_integers_are_refused(string text)
    {
        Assert.False(HeaderValues.TryParseCanonicalInteger(text, out _));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("007", true)]
    [InlineData("9007199254740991", true)]
    [InlineData("9007199254740992", false)]
    [InlineData("1abc", false)]
    [InlineData("0xyz", false)]
    [InlineData("-1", false)]
    [InlineData("1e3", false)]
    [InlineData("", false)]
    public void Producer_numbers_are_digits_up_to_two_to_the_53_minus_one(string text, bool valid)
    {
        Assert.Equal(valid, HeaderValues.TryParseProducerNumber(text, out _));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData("yes", false)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_word_true_turns_a_flag_on(string? text, bool expected)
    {
        Assert.Equal(expected, HeaderValues.IsTrue(text));
    }

    [Theory]
    [InlineData("2025-01-01T12:00:00.123Z", true)]
    [InlineData("2025-01-01T12:00:00+00:00", true)]
    [InlineData("2025-01-01T14:00:00+02:00", true)]
    [InlineData("not-a-timestamp", false)]
    [InlineData("2025-01-01", false)]
    [InlineData("2025-01-01T12:00:00", false)]
    public void Expiry_timestamps_must_be_rfc3339_with_a_zone(string text, bool valid)
    {
        Assert.Equal(valid, Rfc3339.TryParse(text, out _));
    }

    [Theory]
    [InlineData("application/json", "application/json", true)]
    [InlineData("APPLICATION/JSON", "application/json", true)]
    [InlineData("application/json; charset=utf-8", "application/json", true)]
    [InlineData("text/plain", "application/json", false)]
    [InlineData(" text/plain ;x=1", "TEXT/PLAIN", true)]
    [InlineData("", "   ", true)]
    [InlineData(null, "", true)]
    [InlineData("text/plain", "text/plai", false)]
    public void Content_types_compare_by_media_type(string? a, string? b, bool same)
    {
        Assert.Equal(same, ContentTypes.SameMediaType(a, b));
    }

    [Theory]
    [InlineData("application/json", true, true, true)]
    [InlineData(" Application/JSON ; charset=utf-8", true, true, true)]
    [InlineData("application/jsonx", false, false, true)]
    [InlineData("Text/Plain", false, true, true)]
    [InlineData("text/", false, true, false)]
    [InlineData("/plain", false, false, false)]
    [InlineData("a/b/c", false, false, false)]
    [InlineData("text /plain", false, false, false)]
    [InlineData("application/octet-stream", false, false, true)]
    [InlineData("", false, false, false)]
    [InlineData(null, false, false, false)]
    public void Content_type_kinds_ignore_case_parameters_and_padding(string? contentType, bool json, bool sseText, bool wellFormed)
    {
        Assert.Equal(json, ContentTypes.IsJson(contentType));
        Assert.Equal(sseText, ContentTypes.IsSseText(contentType));
        Assert.Equal(wellFormed, ContentTypes.IsWellFormed(contentType));
    }
}
