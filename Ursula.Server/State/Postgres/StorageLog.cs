// Log messages of the PostgreSQL storage layer (event ids 1300-1399).
namespace Ursula.Server.State.Postgres;

internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Error, Message = "Writing applied state up to log index {Index} ({Records} records) to PostgreSQL failed; the batch is kept and retried: {Reason}")]
    public static partial void FlushFailed(ILogger logger, long index, int records, string reason, Exception error);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Installed a snapshot from the leader at log index {Index} ({Streams} streams)")]
    public static partial void SnapshotInstalled(ILogger logger, long index, int streams);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Loaded {Streams} streams from PostgreSQL at log index {Index}")]
    public static partial void StateLoaded(ILogger logger, int streams, long index);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Error, Message = "A snapshot from the leader is committed in PostgreSQL but could not be loaded back; retrying: {Reason}")]
    public static partial void SnapshotReloadFailed(ILogger logger, string reason, Exception error);
}
