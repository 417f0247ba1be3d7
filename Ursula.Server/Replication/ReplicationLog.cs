// Log messages of the replication layer (event ids 1200-1299).
namespace Ursula.Server.Replication;

internal static partial class ReplicationLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "Log entry {Index} could not be decoded and was skipped")]
    public static partial void CorruptEntry(ILogger logger, long index, Exception error);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Replication of a batch of {Count} commands failed: {Reason}")]
    public static partial void ReplicationFailed(ILogger logger, int count, string reason, Exception? error);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Leader changed to {Leader} (term {Term})")]
    public static partial void LeaderChanged(ILogger logger, string leader, long term);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Forwarding {Count} commands to the leader failed: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, int count, string reason, Exception? error);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Critical, Message = "Applying log entry {Index} failed; the node stops so that it restarts from PostgreSQL and its WAL")]
    public static partial void ApplyFailed(ILogger logger, long index, Exception error);
}
