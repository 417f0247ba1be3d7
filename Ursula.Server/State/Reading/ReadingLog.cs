// Log messages of the read path (event ids 1500-1599).
namespace Ursula.Server.State.Reading;

internal static partial class ReadingLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Error, Message = "Stored data of stream {Path} (id {StreamId}) disagrees with its metadata: reading [{Position}, {Cap}) found a record [{FoundStart}, {FoundEnd}) (-1: none); the hot tail starts at {HotStart}. Answered 503")]
    public static partial void StoredDataMissing(ILogger logger, string path, long streamId, long position, long cap, long foundStart, long foundEnd, long hotStart);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Reading archived data of stream {Path} at position {Position} failed; answered 503: {Reason}")]
    public static partial void ArchiveReadFailed(ILogger logger, string path, long position, string reason, Exception error);
}
