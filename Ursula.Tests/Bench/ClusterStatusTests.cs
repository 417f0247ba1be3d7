using Ursula.Bench.Compare.Systems;

namespace Ursula.Tests.Bench;

[Trait("Category", "Unit")]
public sealed class ClusterStatusTests
{
    private static ClusterStatus Node(int port, string role, int? leader) =>
        new($"http://127.0.0.1:{port}", role, leader is { } l ? $"http://127.0.0.1:{l}/" : null);

    [Fact]
    public void The_status_is_read_from_a_nodes_cluster_answer()
    {
        const string json = """
            {"self":"http://127.0.0.1:14438","role":"follower","leader":"http://127.0.0.1:14439","term":3,"commitIndex":10,
             "appliedIndex":10,"durableIndex":9,"members":[{"url":"http://127.0.0.1:14438","isLeader":false,"isSelf":true,"status":"available"}]}
            """;

        var status = ClusterStatus.Parse(json);

        Assert.Equal(new ClusterStatus("http://127.0.0.1:14438", "follower", "http://127.0.0.1:14439"), status);
        Assert.False(status.IsLeader);
    }

    [Fact]
    public void The_leader_is_the_node_that_says_so_and_that_the_others_name()
    {
        var leader = ClusterStatus.AgreedLeader([Node(14438, "follower", 14439), Node(14439, "leader", 14439), Node(14440, "follower", 14439)]);

        Assert.Equal("http://127.0.0.1:14439", leader);
    }

    [Fact]
    public void A_node_not_yet_knowing_the_leader_does_not_block_agreement()
    {
        Assert.Equal("http://127.0.0.1:14439", ClusterStatus.AgreedLeader([Node(14438, "candidate", null), Node(14439, "leader", 14439)]));
    }

    [Fact]
    public void Without_a_self_declared_leader_or_with_disagreement_there_is_none()
    {
        Assert.Null(ClusterStatus.AgreedLeader([Node(14438, "follower", 14439), Node(14440, "follower", 14439)]));
        Assert.Null(ClusterStatus.AgreedLeader([Node(14438, "leader", 14438), Node(14439, "leader", 14439)]));
        Assert.Null(ClusterStatus.AgreedLeader([Node(14438, "follower", 14440), Node(14439, "leader", 14439)]));
        Assert.Null(ClusterStatus.AgreedLeader([]));
    }
}
