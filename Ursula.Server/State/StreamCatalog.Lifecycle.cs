// Apply of DELETE, TTL renewal and expiry, with soft delete while forks still read a stream and
// the cascade that frees a chain of soft-deleted sources when their last fork goes.
using Ursula.Server.State.Commands;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    internal ApplyOutcome Delete(DeleteStreamCommand command, ApplyContext context)
    {
        var touched = context.Touched;
        if (!TryGetLive(command.Path, touched, out var handle, out var missing))
        {
            return missing;
        }

        RemoveOrSoftDelete(handle, touched);
        return new ApplyOutcome(204);
    }

    internal ApplyOutcome Touch(TouchStreamCommand command)
    {
        if (byId.TryGetValue(command.StreamId, out var handle) && !handle.Removed)
        {
            var meta = handle.Meta;
            if (!meta.SoftDeleted && !meta.IsExpiredAt(clockMs) && meta.TtlSeconds is not null)
            {
                handle.Meta = meta with { LastAccessMs = clockMs };
                current.Upsert(handle.Meta);
            }
        }

        return new ApplyOutcome(204);
    }

    internal ApplyOutcome Expire(ExpireStreamCommand command, ApplyContext context)
    {
        var touched = context.Touched;
        if (byId.TryGetValue(command.StreamId, out var handle) && !handle.Removed
            && !handle.Meta.SoftDeleted && handle.Meta.IsExpiredAt(clockMs))
        {
            ExpireNow(handle, touched);
        }

        return new ApplyOutcome(204);
    }

    /// <summary>Finds a stream that direct operations may use: present, unexpired, not soft-deleted.</summary>
    private bool TryGetLive(string path, HashSet<StreamHandle> touched, out StreamHandle handle, out ApplyOutcome missing)
    {
        missing = ApplyOutcome.NotFound();
        if (!byPath.TryGetValue(path, out handle!))
        {
            return false;
        }

        if (!handle.Meta.SoftDeleted && handle.Meta.IsExpiredAt(clockMs))
        {
            ExpireNow(handle, touched);
        }

        if (handle.Removed)
        {
            return false;
        }

        if (handle.Meta.SoftDeleted)
        {
            missing = ApplyOutcome.Gone();
            return false;
        }

        return true;
    }

    private void ExpireNow(StreamHandle handle, HashSet<StreamHandle> touched) => RemoveOrSoftDelete(handle, touched);

    private void RemoveOrSoftDelete(StreamHandle handle, HashSet<StreamHandle> touched)
    {
        var meta = handle.Meta;
        if (meta.RefCount > 0)
        {
            Publish(handle, meta with { SoftDeleted = true }, touched);
            return;
        }

        RemoveWithCascade(handle, touched);
    }

    private void RemoveWithCascade(StreamHandle handle, HashSet<StreamHandle> touched)
    {
        while (true)
        {
            var meta = handle.Meta;
            handle.Removed = true;
            ReleaseArchive(handle);
            byId.TryRemove(meta.Id, out _);
            byPath.TryRemove(new KeyValuePair<string, StreamHandle>(meta.Path, handle));
            touched.Add(handle);
            current.Delete(meta.Id);
            SubscriptionsStreamRemoved(meta.Path);

            if (meta.Fork is not { } fork || !byId.TryGetValue(fork.SourceId, out var source))
            {
                return;
            }

            var sourceMeta = source.Meta with { RefCount = Math.Max(0, source.Meta.RefCount - 1) };
            Publish(source, sourceMeta, touched);
            if (sourceMeta.RefCount > 0 || !sourceMeta.SoftDeleted)
            {
                return;
            }

            handle = source;
        }
    }
}
