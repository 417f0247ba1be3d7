// What apply decided for one command. The leader turns this into the HTTP response; a follower
// that forwarded the command receives it over the cluster channel.
namespace Ursula.Server.State;

public sealed record ApplyOutcome(int Status)
{
    public long? Tail { get; init; }
    public bool Closed { get; init; }
    public string? ContentType { get; init; }
    public long? ProducerEpoch { get; init; }
    public long? ProducerSeq { get; init; }
    public long? ExpectedSeq { get; init; }
    public long? ReceivedSeq { get; init; }
    public string? Error { get; init; }

    /// <summary>A JSON response body apply wrote itself (the subscription APIs); sent as application/json.</summary>
    public string? Body { get; init; }

    /// <summary>The log index whose apply produced this outcome (read-your-writes on other nodes).</summary>
    public long LogIndex { get; init; }

    public static ApplyOutcome Fail(int status, string error) => new(status) { Error = error };

    public static ApplyOutcome Json(int status, string body) => new(status) { Body = body };

    public static ApplyOutcome NotFound() => Fail(404, "Stream not found");

    public static ApplyOutcome Gone() => Fail(410, "Stream is gone: it was deleted while forks still reference it");
}
