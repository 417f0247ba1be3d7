using Ursula.Server.Streams;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class SubscriptionGlobTests
{
    [Theory]
    [InlineData("events/*", "events/a", true)]
    [InlineData("events/*", "events/a/b", false)]
    [InlineData("events/*", "events", false)]
    [InlineData("events/*", "other/a", false)]
    [InlineData("events/*", "Events/a", false)]
    [InlineData("events/**", "events", true)]
    [InlineData("events/**", "events/a/b/c", true)]
    [InlineData("**", "anything/at/all", true)]
    [InlineData("**/log", "a/b/log", true)]
    [InlineData("**/log", "log", true)]
    [InlineData("**/log", "a/logs", false)]
    [InlineData("a/**/z", "a/z", true)]
    [InlineData("a/**/z", "a/b/c/z", true)]
    [InlineData("a/**/z", "a/b/c/y", false)]
    [InlineData("events/sync-*", "events/sync-17", true)]
    [InlineData("events/sync-*", "events/callback-17", false)]
    [InlineData("events/*-x", "events/a-x", true)]
    [InlineData("events/*-x", "events/a-y", false)]
    [InlineData("events/a", "events/a", true)]
    [InlineData("events/a", "events/ab", false)]
    [InlineData("*/*", "a/b", true)]
    [InlineData("*/*", "a", false)]
    public void Globs_match_whole_segments(string pattern, string path, bool expected) =>
        Assert.Equal(expected, SubscriptionGlob.IsMatch(pattern, path));

    [Theory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("a/**b")]
    [InlineData("__ds/*")]
    [InlineData("/leading")]
    public void Unusable_patterns_are_refused(string pattern) => Assert.NotNull(SubscriptionGlob.Check(pattern));

    [Fact]
    public void A_star_in_a_long_segment_does_not_take_exponential_time()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(SubscriptionGlob.IsMatch("**/**/**/**/**/x", string.Join('/', Enumerable.Repeat("a", 40))));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
