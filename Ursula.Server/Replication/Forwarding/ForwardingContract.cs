// What a follower and the leader agree on about forwarding: where the leader takes forwarded
// commands (Hosting/ForwardingEndpoint serves it), how they are encoded, and how large one post
// may be: a post carries at most MaxEntryBytes of commands, or one larger command alone, so it is
// never larger than the largest log entry plus the framing of one command.
namespace Ursula.Server.Replication.Forwarding;

public static class ForwardingContract
{
    /// <summary>Under the reserved prefix (/_ursula/internal/submit).</summary>
    public const string Path = "/internal/submit";

    public const string ContentType = "application/x-ursula-commands";

    /// <summary>421: this node is not the leader, nothing was applied; the follower may retry elsewhere.</summary>
    public const int NotLeaderStatus = 421;

    /// <summary>Room for the framing of one command beside its body (path, content type, producer, Stream-Seq...).</summary>
    public const int FramingBytes = 64 * 1024;

    /// <summary>The largest post a leader accepts from a follower with the same limits.</summary>
    public static long MaxPostBytes(SequencerOptions sequencer, long maxBodyBytes) =>
        Math.Max(sequencer.MaxEntryBytes, maxBodyBytes) + FramingBytes;
}
