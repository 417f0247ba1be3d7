// Header and query names of the Durable Streams protocol, in one place.
namespace Ursula.Server.Protocol;

public static class ProtocolHeaders
{
    public const string NextOffset = "Stream-Next-Offset";
    public const string UpToDate = "Stream-Up-To-Date";
    public const string Cursor = "Stream-Cursor";
    public const string Closed = "Stream-Closed";
    public const string Seq = "Stream-Seq";
    public const string Ttl = "Stream-TTL";
    public const string ExpiresAt = "Stream-Expires-At";
    public const string ForkedFrom = "Stream-Forked-From";
    public const string ForkOffset = "Stream-Fork-Offset";
    public const string ForkSubOffset = "Stream-Fork-Sub-Offset";
    public const string SseDataEncoding = "Stream-SSE-Data-Encoding";
    public const string ProducerId = "Producer-Id";
    public const string ProducerEpoch = "Producer-Epoch";
    public const string ProducerSeq = "Producer-Seq";
    public const string ProducerExpectedSeq = "Producer-Expected-Seq";
    public const string ProducerReceivedSeq = "Producer-Received-Seq";

    public const string OffsetQuery = "offset";
    public const string LiveQuery = "live";
    public const string CursorQuery = "cursor";
}
