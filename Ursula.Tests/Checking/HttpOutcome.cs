// How a client of the fault tests reads an answer into its history: what the status says about
// whether the operation took effect, and the offset the server named (as a position).
using System.Net;
using System.Net.Http.Headers;
using Ursula.Server.Streams;

namespace Ursula.Tests.Checking;

public static class HttpOutcome
{
    /// <summary>200/204 took effect; 503 may or may not have; any other answer is a refusal.</summary>
    public static OperationResult Of(HttpStatusCode status) => status switch
    {
        HttpStatusCode.OK or HttpStatusCode.NoContent => OperationResult.Ok,
        HttpStatusCode.ServiceUnavailable => OperationResult.Unknown,
        _ => OperationResult.Failed,
    };

    /// <summary>Stream-Next-Offset as a position, null when absent or not an offset.</summary>
    public static long? NextOffset(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Stream-Next-Offset", out var values) && StreamOffset.TryParse(values.First(), out var offset)
            ? offset.Position
            : null;

    /// <summary>
    /// POSTs one text/plain record once and adds the append to <paramref name="history"/> with its
    /// answer: a transport error or timeout leaves it undecided (it may still take effect).
    /// </summary>
    public static async Task<Operation> AppendAsync(
        HttpClient client, Uri stream, byte[] payload, IEnumerable<(string Name, string Value)> headers, History history, string who, string node, CancellationToken cancellationToken)
    {
        var invoked = History.Now;
        var result = OperationResult.Unknown;
        long? offset = null;
        try
        {
            using var content = new ByteArrayContent(payload);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var request = new HttpRequestMessage(HttpMethod.Post, stream) { Content = content };
            foreach (var (name, value) in headers)
            {
                request.Headers.Add(name, value);
            }

            using var response = await client.SendAsync(request, cancellationToken);
            result = Of(response.StatusCode);
            offset = response.StatusCode == HttpStatusCode.OK ? NextOffset(response) : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
        }

        var operation = new Operation
        {
            Id = history.NextId(), Kind = OperationKind.Append, Stream = stream.AbsolutePath, Client = who, Node = node,
            Invoked = invoked, Completed = result == OperationResult.Unknown ? Operation.Never : History.Now, Result = result,
            Payload = payload, Offset = offset,
        };
        history.Add(operation);
        return operation;
    }
}
