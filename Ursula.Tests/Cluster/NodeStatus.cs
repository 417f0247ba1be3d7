// What GET /_ursula/cluster reports about one node.
using System.Text.Json;

namespace Ursula.Tests.Cluster;

public sealed record NodeStatus(
    string Self, string Role, string? Leader, long Term, long CommitIndex, long AppliedIndex, long DurableIndex, IReadOnlyList<NodeStatus.Member> Members)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool IsLeader => Role == "leader";

    public static NodeStatus Parse(string json) =>
        JsonSerializer.Deserialize<NodeStatus>(json, Json) ?? throw new InvalidDataException($"Not a cluster status: {json}");

    public override string ToString() =>
        $"{Self} {Role} term={Term} leader={Leader ?? "-"} commit={CommitIndex} applied={AppliedIndex} durable={DurableIndex}";

    public sealed record Member(string Url, bool IsLeader, bool IsSelf, string Status);
}
