using System.Text.Json.Serialization;

namespace Ursula.Server.Hosting;

public sealed record HealthReport(string Status, string? Problem, bool LeaderKnown, long AppliedIndex, int Streams);

public sealed record ClusterStatus(string Self, string Role, string? Leader, long Term, long CommitIndex, long AppliedIndex, long DurableIndex, IReadOnlyList<ClusterMemberStatus> Members);

public sealed record ClusterMemberStatus(string Url, bool IsLeader, bool IsSelf, string Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ClusterStatus))]
[JsonSerializable(typeof(List<ClusterMemberStatus>))]
[JsonSerializable(typeof(MembershipChange))]
public sealed partial class HostingJsonContext : JsonSerializerContext;
