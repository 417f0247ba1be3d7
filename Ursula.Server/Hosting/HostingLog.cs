// Lifecycle log messages of the host (event ids 1400-1499).
namespace Ursula.Server.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Ursula listening on {Url}; data in {DataDir}; PostgreSQL {Postgres}")]
    public static partial void Listening(ILogger logger, string url, string dataDir, string postgres);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Cluster membership seeded with {Members}")]
    public static partial void MembershipSeeded(ILogger logger, string members);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "The cluster endpoints (/_ursula/raft, /_ursula/internal, /_ursula/admin) require the cluster secret from {Source}")]
    public static partial void ClusterSecretSource(ILogger logger, string source);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Refused commands forwarded from {Remote}: {Reason}")]
    public static partial void ForwardRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "Malformed Raft request answered 400: {Kind}: {Reason}")]
    public static partial void RaftRequestMalformed(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Error, Message = "A Raft request failed inside this node (answered 500)")]
    public static partial void RaftRequestFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Error, Message = "This node ({Self}) is not one of the members it persisted ({Members}): it was started under another URL than before (check --listen and --advertise), and takes no part in the cluster until it is restarted under its old URL or added as a new member")]
    public static partial void NotAMember(ILogger logger, string self, string members);
}
