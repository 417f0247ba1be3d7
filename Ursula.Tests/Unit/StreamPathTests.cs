using Microsoft.AspNetCore.Http;
using Ursula.Server.Hosting.Security;
using Ursula.Server.Streams;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class StreamPathTests
{
    [Theory]
    [InlineData("/_ursula/raft")]
    [InlineData("/_URSULA/RAFT")]
    [InlineData("/_Ursula/Admin/members")]
    [InlineData("/_ursula/INTERNAL/submit")]
    [InlineData("/_ursula//raft")]
    [InlineData("//_ursula/admin/members")]
    [InlineData("/_ursula%2Fraft")]
    [InlineData("/_ursula%2finternal%2Fsubmit")]
    [InlineData("/_ursula/raft/")]
    [InlineData("/_ursula/x/..%2Fraft")]
    public void Every_spelling_of_a_cluster_endpoint_is_one(string path)
    {
        Assert.True(ClusterEndpoints.IsClusterEndpoint(new PathString(path)));
        Assert.True(StreamPath.IsReserved(path));
    }

    [Theory]
    [InlineData("/_ursula/health")]
    [InlineData("/_ursula/cluster")]
    [InlineData("/_ursula/raftx")]
    [InlineData("/streams/_ursula/raft")]
    [InlineData("/_ursulax/raft")]
    public void Other_paths_are_not_cluster_endpoints(string path) =>
        Assert.False(ClusterEndpoints.IsClusterEndpoint(new PathString(path)));

    [Theory]
    [InlineData("/a/b", null)]
    [InlineData("/a b/ü", null)]
    [InlineData("/", "required")]
    [InlineData("a/b", "required")]
    [InlineData("/a//b", "empty segments")]
    [InlineData("/a/", "empty segments")]
    [InlineData("/a%2F%2Fb", "empty segments")]
    [InlineData("/a/./b", "dot segments")]
    [InlineData("/a/../b", "dot segments")]
    [InlineData("/a%2F..%2Fb", "dot segments")]
    [InlineData("/a\0b", "control characters")]
    [InlineData("/a\u0085b", "control characters")]
    [InlineData("/a\\b", "backslashes")]
    [InlineData("/_URSULA/x", "reserved")]
    [InlineData("/_ursula%2Fx", "reserved")]
    public void Path_rules_accept_stream_paths_and_name_what_is_wrong_with_the_rest(string path, string? problem)
    {
        var error = StreamPath.Check(path, 1024);
        if (problem is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
            Assert.Contains(problem, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Paths_longer_than_the_limit_are_refused_by_their_UTF8_length() =>
        Assert.Contains("limited", StreamPath.Check("/" + new string('é', 10), 16), StringComparison.Ordinal);

    [Theory]
    [InlineData("/p/sp%20ace", "/p/sp ace")]
    [InlineData("/p/plain", "/p/plain")]
    [InlineData("/p/%C3%BC", "/p/ü")]
    [InlineData("/p/a%2Fb", "/p/a%2Fb")]
    [InlineData("/p/100%", "/p/100%")]
    [InlineData("/p/%zz", "/p/%zz")]
    public void A_url_path_decodes_to_the_stream_path_a_request_to_it_addresses(string urlPath, string expected) =>
        Assert.Equal(expected, StreamPath.FromUrlPath(urlPath));

    [Fact]
    public void A_url_path_whose_escapes_are_not_UTF8_has_no_stream_path() =>
        Assert.Null(StreamPath.FromUrlPath("/p/%FF"));
}
