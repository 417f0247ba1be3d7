// The SignalR hub at /_ursula/hub: the streams of the HTTP API for browser apps, with the same
// guarantees, since every method goes through the same lookup, validator, sequencer and tail
// reader as HTTP. Head, Create and Close live here; appends and subscriptions in their partials.
// Failures are HubExceptions whose message starts with the HTTP status (HubErrors).
using Microsoft.Extensions.Options;
using Ursula.Server.Protocol;
using Ursula.Server.Replication;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Reading;
using Ursula.Server.Streams;
using SignalRHub = Microsoft.AspNetCore.SignalR.Hub;

namespace Ursula.Server.Hub;

public sealed partial class StreamHub(
    StreamLookup lookup,
    StreamTailReader tail,
    ICommandSubmitter submitter,
    IStreamAccess access,
    Access.AccessPolicy policy,
    IOptions<Access.LimitOptions> limitOptions,
    StreamCatalog catalog,
    IOptions<StreamHubOptions> hubOptions,
    IOptions<ProtocolOptions> protocolOptions,
    ILogger<StreamHub> logger) : SignalRHub
{
    private readonly ProtocolOptions protocol = protocolOptions.Value;

    /// <summary>The stream's metadata; like HEAD it does not renew a sliding TTL.</summary>
    public Task<StreamInfo> Head(string path) => RunAsync(nameof(Head), path, StreamAccessKind.Read, async (stream, ct) =>
    {
        var (_, meta) = await FindAsync(stream, ct);
        return new StreamInfo(meta.Path, meta.ContentType, StreamOffset.Format(meta.Tail), meta.Closed, meta.TtlSeconds, meta.ExpiresAt);
    });

    /// <summary>Creates an empty stream (application/octet-stream when no type is given); idempotent like PUT.</summary>
    public Task<CreateResult> Create(string path, string? contentType) => RunAsync(nameof(Create), path, StreamAccessKind.Create, async (stream, ct) =>
    {
        var type = string.IsNullOrWhiteSpace(contentType) ? ContentTypes.OctetStream : contentType;
        if (!ContentTypes.IsWellFormed(type))
        {
            throw HubErrors.Status(400, "contentType must be a media type such as text/plain or application/json");
        }

        var maxStreams = limitOptions.Value.MaxStreams;
        if (catalog.StreamCount >= maxStreams && !catalog.TryGet(stream, out _))
        {
            throw HubErrors.Status(507, $"This node holds the most streams it may ({maxStreams}, Limits:MaxStreams)");
        }

        var outcome = await SubmitAsync(new CreateStreamCommand(stream, type, null, null, false, CommandBody.None, null), ct);
        return outcome.Status is 200 or 201
            ? new CreateResult(StreamOffset.Format(outcome.Tail ?? 0), outcome.Status == 201)
            : throw HubErrors.FromOutcome(outcome, stream);
    });

    /// <summary>Closes the stream: subscribers get the rest of its data and complete; appends are refused with 409.</summary>
    public Task<AppendResult> Close(string path) => RunAsync(nameof(Close), path, StreamAccessKind.Write, async (stream, ct) =>
    {
        var outcome = await SubmitAsync(new AppendStreamCommand(stream, null, null, null, true, CommandBody.None), ct);
        return ToAppendResult(outcome, stream, producer: false);
    });

    /// <summary>
    /// Runs one method for a path: checks the path and the caller's access, and turns failures of
    /// the node (no leader, storage down) into 503 hub errors, as HTTP does.
    /// </summary>
    private async Task<T> RunAsync<T>(string method, string? path, StreamAccessKind kind, Func<string, CancellationToken, Task<T>> body)
    {
        var ct = Context.ConnectionAborted;
        var stream = CheckPath(path);
        try
        {
            await DemandAsync(stream, kind, ct);
            return await body(stream, ct);
        }
        catch (Exception e) when (HubErrors.Translate(e) is { } error)
        {
            HubLog.Unavailable(logger, method, stream, e.Message);
            throw error;
        }
    }

    /// <summary>The stream path a client named: "/a/b", or "a/b" for the same stream.</summary>
    private string CheckPath(string? path)
    {
        var stream = string.IsNullOrEmpty(path) || path[0] == '/' ? path : "/" + path;
        if (StreamPath.Check(stream, protocol.MaxPathBytes) is { } problem)
        {
            throw HubErrors.Status(400, $"{problem} (got \"{path}\")");
        }

        if (Access.PathCharacters.Check(stream!, limitOptions.Value.PathCharacters) is { } characters)
        {
            throw HubErrors.Status(400, characters);
        }

        if (StreamPath.IsSubscription(stream!))
        {
            throw HubErrors.Status(400, "Paths with a __ds segment are reserved for the protocol's subscriptions");
        }

        return stream!;
    }

    private async ValueTask DemandAsync(string path, StreamAccessKind kind, CancellationToken ct)
    {
        if (policy.IsExpired(Context.User))
        {
            throw HubErrors.Status(401, "This connection's token has expired; reconnect with a new one");
        }

        if (!await access.IsAllowedAsync(Context.User, path, kind, ct))
        {
            throw HubErrors.Status(403, $"This connection may not {kind.ToString().ToLowerInvariant()} {path}");
        }
    }

    private async ValueTask<(StreamHandle Handle, StreamMeta Meta)> FindAsync(string path, CancellationToken ct)
    {
        var found = await lookup.FindAsync(path, ct);
        return found is { Handle: { } handle, Meta: { } meta }
            ? (handle, meta)
            : throw HubErrors.FromOutcome(ApplyOutcome.Fail(found.Status, found.Error!), path);
    }

    private ValueTask<ApplyOutcome> SubmitAsync(StreamCommand command, CancellationToken ct) =>
        submitter.ValidateAndSubmitAsync(command, protocol.CommandLimits, ct);

    private static AppendResult ToAppendResult(ApplyOutcome outcome, string path, bool producer)
    {
        if (outcome.Status is not (200 or 204))
        {
            throw HubErrors.FromOutcome(outcome, path);
        }

        // A producer's retry of an append already applied is answered 204 without a new offset.
        var duplicate = producer && outcome.Status == 204;
        return new AppendResult(outcome.Tail is { } next ? StreamOffset.Format(next) : null, duplicate);
    }
}
