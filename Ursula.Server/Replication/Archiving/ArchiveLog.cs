// Log messages of the archiver (event ids 1600-1699).
namespace Ursula.Server.Replication.Archiving;

internal static partial class ArchiveLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Archived {Ranges} ranges ({Bytes} payload bytes) of {Streams} streams into {Key} ({Size} bytes)")]
    public static partial void Archived(ILogger logger, int ranges, long bytes, int streams, string key, long size);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Archiving failed; the data stays in PostgreSQL and the next round retries: {Reason}")]
    public static partial void RoundFailed(ILogger logger, string reason, Exception error);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "Compacted {OldKey} without {DeadStreams} dead streams into {NewKey}")]
    public static partial void Compacted(ILogger logger, string oldKey, int deadStreams, string newKey);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Information, Message = "Deleted archive object {Key} ({Why})")]
    public static partial void Deleted(ILogger logger, string key, string why);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "The hot ceiling is reached: {HotBytes} payload bytes wait for the archive (ceiling {Ceiling}); writes are refused until it catches up")]
    public static partial void CeilingReached(ILogger logger, long hotBytes, long ceiling);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Warning, Message = "The archive holds {Objects} data objects that this node's manifest does not name and that are older than everything it names; they are kept. If this node's PostgreSQL was lost, stop it and run the restore verb; if another cluster writes under the same prefix, give each its own")]
    public static partial void ForeignObjects(ILogger logger, int objects);
}
