// Apply of PUT: create, idempotent re-create, and forks (with sub-offsets and expiry inheritance).
using Ursula.Server.State.Commands;
using Ursula.Server.Streams;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    internal ApplyOutcome Create(CreateStreamCommand command, ApplyContext context)
    {
        var (index, touched) = (context.Index, context.Touched);
        if (byPath.TryGetValue(command.Path, out var existing) && existing.Meta.IsExpiredAt(clockMs) && !existing.Meta.SoftDeleted)
        {
            ExpireNow(existing, touched);
            byPath.TryGetValue(command.Path, out existing);
        }

        if (existing is not null)
        {
            return ReCreate(existing.Meta, command);
        }

        StreamHandle? source = null;
        long forkPosition = 0, requestedPosition = 0;
        var contentType = command.ContentType;
        if (command.Fork is { } fork)
        {
            if (!byPath.TryGetValue(fork.SourcePath, out source) || (source.Meta.IsExpiredAt(clockMs) && !source.Meta.SoftDeleted))
            {
                return ApplyOutcome.Fail(404, "Fork source stream not found");
            }

            var sourceMeta = source.Meta;
            if (sourceMeta.SoftDeleted)
            {
                return ApplyOutcome.Fail(409, "Fork source stream was deleted but still has forks");
            }

            if (contentType is not null && !ContentTypes.SameMediaType(contentType, sourceMeta.ContentType))
            {
                return ApplyOutcome.Fail(409, "Content-Type differs from the fork source's");
            }

            contentType ??= sourceMeta.ContentType;
            requestedPosition = fork.Position ?? sourceMeta.Tail;
            if (requestedPosition > sourceMeta.Tail)
            {
                return ApplyOutcome.Fail(400, "Stream-Fork-Offset is beyond the source stream's tail");
            }

            // That the sub-offset stays inside the record at the fork offset was checked by the node
            // that took the request (reading may need the archive, which apply never touches);
            // apply keeps the branch point within the source.
            forkPosition = requestedPosition + fork.SubOffset;
            if (forkPosition > sourceMeta.Tail)
            {
                return ApplyOutcome.Fail(400, "Stream-Fork-Sub-Offset names a position past the next data boundary");
            }
        }

        contentType ??= ContentTypes.OctetStream;
        var isJson = ContentTypes.IsJson(contentType);
        if (!TryPrepareBody(command.Body, isJson, allowEmptyArray: true, out var body, out var bodyError))
        {
            return ApplyOutcome.Fail(bodyError!.Value.Status, bodyError.Value.Message);
        }

        var (ttl, expiresAt) = (command.TtlSeconds, command.ExpiresAt);
        if (source is not null && ttl is null && expiresAt is null)
        {
            // A fork that asks for no expiry inherits the source's: a sliding TTL or a deadline.
            (ttl, expiresAt) = (source.Meta.TtlSeconds, source.Meta.ExpiresAt);
        }

        var id = nextStreamId++;
        var meta = new StreamMeta(
            Id: id,
            Path: command.Path,
            ContentType: contentType,
            CreatedAtMs: clockMs,
            TtlSeconds: ttl,
            ExpiresAt: expiresAt,
            ExpiresAtMs: ParseExpiry(expiresAt),
            LastAccessMs: clockMs,
            Closed: false,
            ClosedBy: null,
            Tail: forkPosition,
            LastStreamSeq: null,
            Fork: source is null ? null : new ForkLink(source.Id, source.Meta.Path, forkPosition, requestedPosition, command.Fork!.Value.SubOffset),
            RefCount: 0,
            SoftDeleted: false,
            ArchivedTo: forkPosition,
            HotBytes: 0);

        var handle = new StreamHandle(meta, forkPosition);
        byId[id] = handle;
        byPath[command.Path] = handle;
        if (source is not null)
        {
            Publish(source, source.Meta with { RefCount = source.Meta.RefCount + 1 }, touched);
        }

        if (body.Length > 0)
        {
            meta = AddRecord(handle, meta, body, index, null);
        }

        meta = meta with { Closed = command.Closed };
        Publish(handle, meta, touched);
        SubscriptionsCreated(handle, context);
        return new ApplyOutcome(201) { Tail = meta.Tail, Closed = meta.Closed, ContentType = meta.ContentType };
    }

    private static ApplyOutcome ReCreate(StreamMeta existing, CreateStreamCommand command)
    {
        if (existing.SoftDeleted)
        {
            return ApplyOutcome.Fail(409, "Stream was deleted but still has forks; the path cannot be reused until they are gone");
        }

        var requestedType = command.ContentType ?? (command.Fork is not null ? existing.ContentType : ContentTypes.OctetStream);
        var matches = ContentTypes.SameMediaType(requestedType, existing.ContentType)
            && command.Closed == existing.Closed
            && ForkMatches(existing.Fork, command.Fork)
            && (command.Fork is not null && command.TtlSeconds is null && command.ExpiresAt is null
                ? true // an inheriting fork's expiry came from its source
                : command.TtlSeconds == existing.TtlSeconds && ParseExpiry(command.ExpiresAt) == existing.ExpiresAtMs);
        return matches
            ? new ApplyOutcome(200) { Tail = existing.Tail, Closed = existing.Closed, ContentType = existing.ContentType }
            : ApplyOutcome.Fail(409, "Stream already exists with a different configuration");
    }

    private static bool ForkMatches(ForkLink? existing, ForkRequest? requested)
    {
        if (existing is null || requested is null)
        {
            return existing is null && requested is null;
        }

        return existing.SourcePath == requested.Value.SourcePath
            && (requested.Value.Position is null || requested.Value.Position == existing.RequestedPosition)
            && requested.Value.SubOffset == existing.SubOffset;
    }

    private static long? ParseExpiry(string? expiresAt) =>
        Rfc3339.TryParse(expiresAt, out var at) ? at.ToUnixTimeMilliseconds() : null;
}
