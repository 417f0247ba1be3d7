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
}
