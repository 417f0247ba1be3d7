// The one place that decides which requests are cluster traffic: the Raft transport, forwarding
// and administration, each a segment under the reserved prefix. Routing and DotNext's
// builder.Map(ProtocolPath) match paths ignoring case, on the decoded, dot-segment-normalised
// Request.Path; this matches the same way and errs on the side of guarding (an encoded "%2F" and
// empty segments count as separators), so no spelling that reaches a cluster handler escapes it.
using Ursula.Server.Streams;

namespace Ursula.Server.Hosting.Security;

public static class ClusterEndpoints
{
    public const string RaftSegment = "raft";
    public const string InternalSegment = "internal";
    public const string AdminSegment = "admin";

    /// <summary>DotNext's Raft transport (every member's public endpoint is NODE_URL + this path).</summary>
    public const string RaftPath = StreamPath.ReservedPrefix + "/" + RaftSegment;

    private static readonly string[] Segments = [RaftSegment, InternalSegment, AdminSegment];

    /// <summary>True for every spelling of a path under /_ursula/raft, /_ursula/internal or /_ursula/admin.</summary>
    public static bool IsClusterEndpoint(PathString path) => AreaOf(path) is { } area && Segments.Contains(area, StringComparer.OrdinalIgnoreCase);

    /// <summary>True for the Raft transport in any spelling (its malformed requests get 400, not 500).</summary>
    public static bool IsRaft(PathString path) => AreaOf(path) is { } area && area.Equals(RaftSegment, StringComparison.OrdinalIgnoreCase);

    /// <summary>The segment after the reserved prefix, or null outside it.</summary>
    private static string? AreaOf(PathString path) =>
        path.Value is { } value && StreamPath.MayBeReserved(value)
        && StreamPath.NormalizedSegments(value) is [var first, var second, ..]
        && first.Equals(StreamPath.ReservedSegment, StringComparison.OrdinalIgnoreCase)
            ? second
            : null;
}
