// Grant patterns: what "*" and "**" match, that only "/" separates and case matters, and which
// grants cover a whole subtree (the subscriptions API's rule).
using Ursula.Server.Access;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class GrantTests
{
    [Theory]
    [InlineData("read:/tenant-a/**", "/tenant-a/x", true)]
    [InlineData("read:/tenant-a/**", "/tenant-a/x/y/z", true)]
    [InlineData("read:/tenant-a/**", "/tenant-a", true)]
    [InlineData("read:/tenant-a/**", "/tenant-ab/x", false)]
    [InlineData("read:/tenant-a/**", "/Tenant-A/x", false)]
    [InlineData("read:/tenant-a/**", "/tenant-a%2Fx", false)]
    [InlineData("read:/tenant-a/**", "//tenant-a/x", false)]
    [InlineData("read:/tenant-a/*", "/tenant-a/x", true)]
    [InlineData("read:/tenant-a/*", "/tenant-a/x/y", false)]
    [InlineData("read:/tenant-a/*", "/tenant-a/", false)]
    [InlineData("read:/tenant-a/*/events", "/tenant-a/u1/events", true)]
    [InlineData("read:/tenant-a/*/events", "/tenant-a/u1/other", false)]
    [InlineData("read:/exact/path", "/exact/path", true)]
    [InlineData("read:/exact/path", "/exact/path/more", false)]
    [InlineData("read:/**", "/anything/at/all", true)]
    public void Patterns_match_whole_segments_exactly(string grant, string path, bool matches)
    {
        var parsed = Grant.Parse(grant, out var error);
        Assert.Null(error);
        Assert.Equal(matches, parsed!.Allows(AccessLevel.Read, path));
    }

    [Fact]
    public void Each_level_includes_the_ones_below_it()
    {
        var write = Grant.Parse("write:/a/**", out _)!;
        Assert.True(write.Allows(AccessLevel.Read, "/a/x"));
        Assert.True(write.Allows(AccessLevel.Write, "/a/x"));
        Assert.False(write.Allows(AccessLevel.Admin, "/a/x"));
    }

    [Theory]
    [InlineData("admin:/a/**", "/a", true)]
    [InlineData("admin:/a/**", "/a/b", true)]
    [InlineData("admin:/a/**", "/", false)]
    [InlineData("admin:/a/*", "/a", false)]
    [InlineData("admin:/*/**", "/a/b", true)]
    [InlineData("admin:/**", "/", true)]
    [InlineData("admin:/a/b/**", "/a", false)]
    public void A_subtree_is_covered_only_by_a_pattern_ending_in_two_stars_above_it(string grant, string root, bool covered) =>
        Assert.Equal(covered, Grant.Parse(grant, out _)!.AllowsSubtree(AccessLevel.Admin, root));

    [Theory]
    [InlineData("/a/**")]
    [InlineData("delete:/a/**")]
    [InlineData("read:a/**")]
    [InlineData("read:/a/**/b")]
    [InlineData("read:/a/b*")]
    [InlineData("read:/a//b")]
    public void Malformed_grants_are_refused_with_a_reason(string text)
    {
        Assert.Null(Grant.Parse(text, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
