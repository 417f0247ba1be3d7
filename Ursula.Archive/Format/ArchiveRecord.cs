// One append of a stream, the unit the archive takes in and gives back: positions [Start, End)
// (bytes for byte streams, messages for JSON streams, whose payload is the messages' UTF-8 texts
// joined by commas, exactly as the server stores them).
namespace Ursula.Archive.Format;

public sealed record ArchiveRecord(long Start, long End, long AppendedAtMs, long LogIndex, byte[] Payload, ArchiveProducer? Producer = null)
{
    public long Length => End - Start;
}
