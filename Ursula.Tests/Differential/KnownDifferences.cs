// The deliberate differences from the reference server, each listed in docs/compatibility.md with
// the spec text that justifies it. A disagreement the differential test finds that is not here fails.
namespace Ursula.Tests.Differential;

public static class KnownDifferences
{
    /// <summary>The compatibility.md section that explains the difference, or null when none does.</summary>
    public static string? Explain(Difference difference) => difference switch
    {
        // A read at an offset past the tail: no server minted it for this stream.
        { Request.Offset: OffsetChoice.BeyondTail, Reference.Status: 200, Ursula.Status: 400 } => "An offset past the tail is refused",

        // Input that is malformed whatever the stream's state (an offset that is no offset, a JSON
        // body that is no JSON) is refused before the state is consulted.
        { Request.Offset: OffsetChoice.Malformed, Reference.Status: 404 or 410, Ursula.Status: 400 } => "Malformed input before state",
        { Request.Method.Method: "PUT", Reference.Status: 404 or 409, Ursula.Status: 400 } when IsBrokenJson(difference.Request) => "Malformed input before state",
        { Request.Method.Method: "POST", Reference.Status: 409, Ursula.Status: 400 } when IsBrokenJson(difference.Request) && !difference.Reference.Flag("Stream-Closed") => "Malformed input before state",

        // Section 5.7: with no data at the offset a long-poll waits; the reference answers offset=-1 at once.
        { Request.Mode: ReadMode.LongPoll, Request.Offset: OffsetChoice.Start, Reference.Status: 200, Ursula.Status: 204 } when difference.Reference.Body is [] or [(byte)'[', (byte)']'] => "Long-poll from -1 on an empty stream",

        // Section 5.7: a long-poll at the tail of a closed stream MUST answer 204 with Stream-Closed at once.
        { Request.Mode: ReadMode.LongPoll, Reference.Status: 200, Ursula.Status: 204 } when difference.Ursula.Flag("Stream-Closed") => "Long-poll at the tail of a closed stream",

        // Section 5.4: a soft-deleted stream answers 410 to every direct operation, a close included.
        { Request.Method.Method: "POST", Ursula.Status: 410, Reference.Status: 204 or 409 } when difference.Request.Body is null => "Closing a soft-deleted stream",

        // The reference server fails (500) where Ursula answers.
        { Reference.Status: 500 } when difference.Ursula.Status is >= 200 and < 500 => "Requests the reference server fails on",
        _ => null,
    };

    private static bool IsBrokenJson(ProtocolRequest request) =>
        request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true
        && request.Body is { Length: > 0 } body
        && !IsJson(body);

    private static bool IsJson(byte[] body)
    {
        try
        {
            System.Text.Json.JsonDocument.Parse(body).Dispose();
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
