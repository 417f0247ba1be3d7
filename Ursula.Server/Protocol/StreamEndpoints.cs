// The Durable Streams protocol on every path outside the reserved prefix: method dispatch and the
// checks every handler shares. Each method's handler lives in its own partial file.
using Microsoft.Extensions.Options;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Reading;
using Ursula.Server.Replication;
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

public sealed partial class StreamEndpoints(
    StreamCatalog catalog,
    StreamDataReader reader,
    StreamTailReader tail,
    ICommandSubmitter submitter,
    StreamLookup lookup,
    ResponseCursor cursors,
    SubscriptionEndpoints subscriptions,
    IOptions<ProtocolOptions> options,
    ILogger<StreamEndpoints> logger)
{
    private readonly ProtocolOptions options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsOptions(method))
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (!StreamPaths.TryGetStreamPath(context, options.MaxPathBytes, out var path, out var pathError))
        {
            await Problem.WriteAsync(context, 400, pathError!);
            return;
        }

        try
        {
            var task = StreamPath.IsSubscription(path) ? subscriptions.HandleAsync(context, path) : method switch
            {
                _ when HttpMethods.IsGet(method) => ReadAsync(context, path),
                _ when HttpMethods.IsHead(method) => HeadAsync(context, path),
                _ when HttpMethods.IsPost(method) => AppendAsync(context, path),
                _ when HttpMethods.IsPut(method) => CreateAsync(context, path),
                _ when HttpMethods.IsDelete(method) => DeleteAsync(context, path),
                _ => MethodNotAllowedAsync(context),
            };
            await task;
        }
        catch (ServiceUnavailableException unavailable) when (!context.Response.HasStarted)
        {
            ProtocolLog.Unavailable(logger, method, path, unavailable.Message);
            await Problem.WriteAsync(context, 503, unavailable.Message, unavailable.RetryAfter);
        }
        catch (Exception e) when (StorageFailure.Is(e) && !context.Response.HasStarted)
        {
            ProtocolLog.Unavailable(logger, method, path, e.Message);
            await Problem.WriteAsync(context, 503, StorageFailure.Message, StorageFailure.RetryAfter);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
    }

    private static Task MethodNotAllowedAsync(HttpContext context)
    {
        context.Response.Headers.Allow = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
        return Problem.WriteAsync(context, 405, "Streams support GET, HEAD, POST, PUT, DELETE and OPTIONS");
    }

    /// <summary>Finds a stream that direct operations may use, answering 404 or 410 otherwise.</summary>
    private async ValueTask<(StreamHandle? Handle, StreamMeta? Meta)> FindAsync(HttpContext context, string path)
    {
        var found = await lookup.FindAsync(path, context.RequestAborted);
        if (found.Error is { } error)
        {
            await Problem.WriteAsync(context, found.Status, error);
        }

        return (found.Handle, found.Meta);
    }

    private static void SetOutcomeHeaders(HttpResponse response, ApplyOutcome outcome)
    {
        var headers = response.Headers;
        if (outcome.Tail is { } tail)
        {
            headers[ProtocolHeaders.NextOffset] = StreamOffset.Format(tail);
        }

        if (outcome.Closed)
        {
            headers[ProtocolHeaders.Closed] = "true";
        }

        SetNumber(headers, ProtocolHeaders.ProducerEpoch, outcome.ProducerEpoch);
        SetNumber(headers, ProtocolHeaders.ProducerSeq, outcome.ProducerSeq);
        SetNumber(headers, ProtocolHeaders.ProducerExpectedSeq, outcome.ExpectedSeq);
        SetNumber(headers, ProtocolHeaders.ProducerReceivedSeq, outcome.ReceivedSeq);
    }

    private static void SetNumber(IHeaderDictionary headers, string name, long? value)
    {
        if (value is { } v)
        {
            headers[name] = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static Task WriteOutcomeAsync(HttpContext context, ApplyOutcome outcome)
    {
        SetOutcomeHeaders(context.Response, outcome);
        if (outcome.Error is { } error && outcome.Status >= 400)
        {
            return Problem.WriteAsync(context, outcome.Status, error);
        }

        context.Response.StatusCode = outcome.Status;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Validates and submits a command, whose bytes may live in <paramref name="body"/>. When the
    /// submission ends without an outcome (timeout, cancellation, 503) the command may still be
    /// queued and read later, so the body's buffer goes to the garbage collector instead of back
    /// to the pool.
    /// </summary>
    private async Task<ApplyOutcome> SubmitAsync(StreamCommand command, RequestBody? body, HttpContext context)
    {
        try
        {
            return await submitter.ValidateAndSubmitAsync(command, options.CommandLimits, context.RequestAborted);
        }
        catch
        {
            body?.Abandon();
            throw;
        }
    }
}
