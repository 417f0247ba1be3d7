using System.Text.Json.Serialization;

namespace Ursula.Server.Hosting;

public sealed record HealthReport(string Status, string? Problem, bool LeaderKnown, long AppliedIndex, int Streams)
{
    public ArchiveHealth? Archive { get; init; }
}

/// <summary>The cold tier as health reports it: bytes waiting for the archive, what it did, and its last error while failing.</summary>
public sealed record ArchiveHealth(long HotBytes, long ObjectsWritten, long RangesArchived, long ObjectsCompacted, string? Failing);

public sealed record ClusterStatus(string Self, string Role, string? Leader, long Term, long CommitIndex, long AppliedIndex, long DurableIndex, IReadOnlyList<ClusterMemberStatus> Members);

public sealed record ClusterMemberStatus(string Url, bool IsLeader, bool IsSelf, string Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ClusterStatus))]
[JsonSerializable(typeof(List<ClusterMemberStatus>))]
[JsonSerializable(typeof(MembershipChange))]
public sealed partial class HostingJsonContext : JsonSerializerContext;
