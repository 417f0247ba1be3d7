// Lifecycle log messages of the host (event ids 1400-1499).
namespace Ursula.Server.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Ursula listening on {Url}; data in {DataDir}; PostgreSQL {Postgres}")]
    public static partial void Listening(ILogger logger, string url, string dataDir, string postgres);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Cluster membership seeded with {Members}")]
    public static partial void MembershipSeeded(ILogger logger, string members);
}
