// Subscribe(path, offset): a streaming hub method over the one tail reader that long-poll and SSE
// use: catch-up from the offset, then live, completing when the stream is closed and delivered.
// Between the reader and SignalR sits a small bounded channel: a subscriber whose connection
// cannot take items fast enough stops the reading, falls behind and later catches up from
// storage, so it never holds more than SubscriberBuffer items of the server's memory.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Ursula.Server.State;
using Ursula.Server.State.Reading;
using Ursula.Server.Streams;

namespace Ursula.Server.Hub;

public sealed partial class StreamHub
{
    public async IAsyncEnumerable<StreamItem> Subscribe(string path, string? offset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (handle, from) = await StartSubscriptionAsync(path, offset, cancellationToken);
        var connection = Context.ConnectionId;
        HubLog.SubscriptionStarted(logger, handle.Meta.Path, StreamOffset.Format(from), connection);
        var options = hubOptions.Value;
        var channel = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(options.SubscriberBuffer)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,

            // A live item goes from the reader to SignalR on the same thread, with no hop through
            // the thread pool per subscriber per append (a thousand of them per append otherwise).
            AllowSynchronousContinuations = true,
        });
        // The subscription outlives the check at its start: it ends with a 401 error when the token
        // expires, and a stopping node ends it with a 503 error that names the offset to resume from.
        using var expiry = policy.ExpiryTimer(Context.User);
        var expired = expiry?.Token ?? CancellationToken.None;
        var stopping = Microsoft.AspNetCore.SignalR.GetHttpContextExtensions.GetHttpContext(Context)?.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expired, stopping);
        var pump = PumpAsync(handle, from, new TailReadOptions(options.MaxItemBytes, TickerWakes: true), channel.Writer, connection, new PumpEnd(expired, stopping), stop.Token);
        try
        {
            // Waits without a cancellation token: a cancellable wait costs a new waiter and a token
            // registration per item (ChannelReader.ReadAllAsync(token) did that, about a tenth of the
            // node's CPU in a fan-out of 1000). Cancellation still ends the loop: the pump watches
            // the token (through `stop`) and completes the channel when it fires.
            var reader = channel.Reader;
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            // The client stopped the stream or went away: end the reader too.
            await stop.CancelAsync();
            await pump;
        }
    }

    private Task<(StreamHandle Handle, long From)> StartSubscriptionAsync(string? path, string? offset, CancellationToken cancellationToken) =>
        RunAsync(nameof(Subscribe), path, StreamAccessKind.Read, async (stream, _) =>
        {
            if (!ReadOffset.TryParse(string.IsNullOrEmpty(offset) ? null : offset, out var requested))
            {
                throw HubErrors.Status(400, $"offset must be -1, now, or a nextOffset this server returned (got \"{offset}\")");
            }

            var (handle, meta) = await FindAsync(stream, cancellationToken);
            submitter.Touch(meta);
            var from = requested.From(meta.Tail);
            if (from > meta.Tail && !(await lookup.WaitForTailAsync(handle, from, cancellationToken)).CaughtUp)
            {
                throw HubErrors.Status(400, $"offset {offset} is beyond the end of {stream}");
            }

            return (handle, from);
        });

    /// <summary>Reads the stream into the channel until it closes, is deleted, fails or the subscriber leaves.</summary>
    /// <summary>What may end a subscription besides its subscriber: its token's expiry, the node's stop.</summary>
    private readonly record struct PumpEnd(CancellationToken Expired, CancellationToken Stopping);

    private async Task PumpAsync(StreamHandle handle, long from, TailReadOptions read, ChannelWriter<StreamItem> writer, string connection, PumpEnd end, CancellationToken ct)
    {
        var encoder = new StreamItemEncoder(handle.Meta.ContentType);
        var path = handle.Meta.Path;
        var reason = "closed";
        var at = StreamOffset.Format(from);
        try
        {
            await foreach (var item in tail.ReadAsync(handle, from, read, ct))
            {
                if (item.Kind == TailItemKind.Gone)
                {
                    reason = "deleted";
                    throw item.Meta.SoftDeleted
                        ? HubErrors.Status(410, $"{path} was deleted while forks still reference it; the subscription ends")
                        : HubErrors.Status(404, $"{path} was deleted; the subscription ends");
                }

                var encoded = encoder.Encode(item);
                at = encoded.NextOffset;
                await writer.WriteAsync(encoded, ct);
            }

            writer.TryComplete();
        }
        catch (OperationCanceledException) when (end.Expired.IsCancellationRequested)
        {
            reason = "its token expired";
            writer.TryComplete(HubErrors.Status(401, $"This connection's token expired; the subscription to {path} ends at {at} (resume from there with a new token)"));
        }
        catch (OperationCanceledException) when (end.Stopping.IsCancellationRequested)
        {
            reason = "the node is stopping";
            writer.TryComplete(HubErrors.Status(503, $"The node is shutting down; subscribe again from offset {at} (on another node)"));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            reason = "the subscriber left";
            writer.TryComplete();
        }
        catch (Exception e)
        {
            reason = e.Message;
            writer.TryComplete(e is Microsoft.AspNetCore.SignalR.HubException ? e : HubErrors.Translate(e) ?? e);
        }
        finally
        {
            HubLog.SubscriptionEnded(logger, path, connection, at, reason);
        }
    }
}
