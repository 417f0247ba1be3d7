// The leader's side of forwarding (/_ursula/internal/submit): a follower posts the commands its
// clients sent; the leader sequences them with its own (group commit) and answers each with the
// outcome of its apply. The post is cluster traffic (the secret guards it), but its bytes are
// still held to what a client request could produce: read with a limit, decoded defensively and
// every command run through the same validator as the HTTP layer's, else 400 or 413.
using System.Text.Json;
using Microsoft.Extensions.Options;
using Ursula.Server.Protocol;
using Ursula.Server.Replication;
using Ursula.Server.Replication.Forwarding;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.Streams;

namespace Ursula.Server.Hosting;

public static class ForwardingEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints) => endpoints.MapPost(ForwardingContract.Path, HandleAsync);

    private static async Task HandleAsync(
        HttpContext context, Sequencer sequencer, IOptions<SequencerOptions> sequencerOptions, IOptions<ProtocolOptions> protocol, ILoggerFactory logging)
    {
        if (!sequencer.IsLeader)
        {
            context.Response.StatusCode = ForwardingContract.NotLeaderStatus;
            return;
        }

        if (!ContentTypes.SameMediaType(context.Request.ContentType, ForwardingContract.ContentType))
        {
            await Problem.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Forwarded commands are {ForwardingContract.ContentType}");
            return;
        }

        var limits = protocol.Value.CommandLimits;
        var maxBytes = ForwardingContract.MaxPostBytes(sequencerOptions.Value, limits.MaxBodyBytes);
        using var body = await RequestBody.ReadAsync(context.Request, maxBytes, context.RequestAborted);
        if (body is null)
        {
            await RequestBody.WriteTooLargeAsync(context, maxBytes);
            return;
        }

        var (batch, problem) = Decode(body.Memory, limits);
        if (batch is null)
        {
            HostingLog.ForwardRefused(logging.CreateLogger(typeof(ForwardingEndpoint)), context.Connection.RemoteIpAddress?.ToString() ?? "?", problem!);
            await Problem.WriteAsync(context, StatusCodes.Status400BadRequest, problem!);
            return;
        }

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

    private static (CommandBatch? Batch, string? Problem) Decode(ReadOnlyMemory<byte> body, CommandLimits limits)
    {
        CommandBatch batch;
        try
        {
            batch = CommandCodec.Decode(body);
        }
        catch (InvalidDataException e)
        {
            return (null, $"The forwarded commands could not be decoded: {e.Message}");
        }

        for (var i = 0; i < batch.Commands.Count; i++)
        {
            if (CommandValidator.Validate(batch.Commands[i], limits, jsonFlattenedHere: false) is { } error)
            {
                return (null, $"Forwarded command {i + 1} of {batch.Commands.Count} is invalid: {error}");
            }
        }

        return (batch, null);
    }

    private static async Task<ForwardedResult> SubmitAsync(Sequencer sequencer, Command command, CancellationToken cancellationToken)
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
