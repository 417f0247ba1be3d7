// One append as stored: positions [Start, End) of the stream. For byte streams the payload is the
// appended bytes (End - Start bytes); for JSON streams it is End - Start messages joined by commas.
namespace Ursula.Server.State;

public sealed record DataRecord(long Start, long End, byte[] Payload, long AppendedAtMs, long LogIndex, string? ProducerId, long? ProducerEpoch = null, long? ProducerSeq = null)
{
    public long Length => End - Start;
}
