// Hub errors carry the HTTP status the same failure has over HTTP, first in the message, so that a
// client can branch on it: "404 Not Found: Stream not found: /a/b ...". SignalR sends a
// HubException's message to the client as it is (other exceptions become a generic error).
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.WebUtilities;
using Ursula.Server.State;

namespace Ursula.Server.Hub;

public static class HubErrors
{
    public static HubException Status(int status, string message) =>
        new($"{status} {ReasonPhrases.GetReasonPhrase(status)}: {message}");

    /// <summary>The outcome of a refused command as a hub error, with what a developer can do about it.</summary>
    public static HubException FromOutcome(ApplyOutcome outcome, string path)
    {
        var error = outcome.Error ?? "Refused";
        var detail = outcome switch
        {
            { Status: 404 } => $"{error}: {path} (create it first: Create(path, contentType))",
            { Status: 409, Closed: true } => $"{error}: {path} takes no more appends",
            { Status: 409, ExpectedSeq: { } expected, ReceivedSeq: { } received } => $"{error} on {path}: expected seq {expected}, received {received}",
            { Status: 403, ProducerEpoch: { } epoch } => $"{error} on {path}: the stream has seen epoch {epoch}; a newer instance of this producer took over",
            _ => $"{error} ({path})",
        };
        return Status(outcome.Status, detail);
    }

    public static HubException Unavailable(ServiceUnavailableException unavailable) =>
        Status(503, $"{unavailable.Message} (retry in {Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds))} s)");

    /// <summary>
    /// The hub error for an exception that is not the client's doing (503, as over HTTP), or null
    /// for one that is no failure of the node (cancellation) or already a hub error.
    /// </summary>
    public static HubException? Translate(Exception e) => e switch
    {
        ServiceUnavailableException unavailable => Unavailable(unavailable),
        _ when Protocol.StorageFailure.Is(e) => Status(503, $"{Protocol.StorageFailure.Message} (retry in {(int)Protocol.StorageFailure.RetryAfter.TotalSeconds} s)"),
        _ => null,
    };
}
