// The leader's side of forwarding: a follower posts the commands its clients sent; the leader
// sequences them with its own (group commit) and answers each with the outcome of its apply.
using System.Text.Json;
using Ursula.Server.Protocol;
using Ursula.Server.State.Commands;
using Ursula.Server.State;

namespace Ursula.Server.Replication.Forwarding;

public static class ForwardingEndpoint
{
    public const string Path = "/internal/submit";
    public const string ContentType = "application/x-ursula-commands";

    /// <summary>421: this node is not the leader, nothing was applied; the follower may retry elsewhere.</summary>
    public const int NotLeaderStatus = StatusCodes.Status421MisdirectedRequest;

    public static void Map(IEndpointRouteBuilder endpoints) => endpoints.MapPost(Path, HandleAsync);

    private static async Task HandleAsync(HttpContext context, Sequencer sequencer)
    {
        if (!sequencer.IsLeader)
        {
            context.Response.StatusCode = NotLeaderStatus;
            return;
        }

        using var body = await RequestBody.ReadAsync(context.Request, long.MaxValue, context.RequestAborted);
        var batch = CommandCodec.Decode(body!.Memory);
        ForwardedResult[] results;
        try
        {
            results = await Task.WhenAll(batch.Commands.Select(c => SubmitAsync(sequencer, c, context.RequestAborted)));
        }
        catch
        {
            body.Abandon();
            throw;
        }

        if (results.Any(r => r.Unavailable is not null))
        {
            // A command whose wait ended without an outcome may still be queued and read later.
            body.Abandon();
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, results, ForwardingJsonContext.Default.ForwardedResultArray, context.RequestAborted);
    }

    private static async Task<ForwardedResult> SubmitAsync(Sequencer sequencer, StreamCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return new ForwardedResult(await sequencer.SubmitAsLeaderAsync(command, cancellationToken), null);
        }
        catch (ServiceUnavailableException e)
        {
            return new ForwardedResult(null, e.Message);
        }
    }
}
