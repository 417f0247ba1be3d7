// Finding a stream that a client may use, for every client surface (HTTP and the SignalR hub):
// 404 for none, 410 for one deleted or expired while forks still reference it, and on a node that
// may be behind the leader a read barrier first, so that a stream or an offset acknowledged through
// another node is found here too.
using Ursula.Server.Replication;
using Ursula.Server.State;

namespace Ursula.Server.Protocol;

public sealed class StreamLookup(StreamCatalog catalog, ICommandSubmitter submitter, TimeProvider time)
{
    public const string NotFoundMessage = "Stream not found";

    public const string GoneMessage = "Stream is gone: it was deleted or expired while forks still reference it";

    /// <summary>The stream at <paramref name="path"/>; Status 200 with its handle and metadata, else 404 or 410.</summary>
    public async ValueTask<StreamFound> FindAsync(string path, CancellationToken cancellationToken)
    {
        var found = Find(path);
        if (found.Status != 200 && submitter.MayBeBehind)
        {
            // This node may not have applied a create acknowledged through another node yet.
            await submitter.SyncWithLeaderAsync(cancellationToken);
            found = Find(path);
        }

        return found;
    }

    /// <summary>
    /// An offset past this node's tail is either data another node acknowledged that this node has
    /// not applied yet (a read barrier brings it here) or no position of this stream at all.
    /// </summary>
    public async ValueTask<(StreamMeta Meta, bool CaughtUp)> WaitForTailAsync(StreamHandle handle, long position, CancellationToken cancellationToken)
    {
        if (submitter.MayBeBehind)
        {
            await submitter.SyncWithLeaderAsync(cancellationToken);
        }

        var meta = handle.Meta;
        return (meta, position <= meta.Tail && !handle.Removed);
    }

    private StreamFound Find(string path)
    {
        if (!catalog.TryGet(path, out var handle) || handle.Removed)
        {
            return StreamFound.NotFound;
        }

        var meta = handle.Meta;
        if (!meta.SoftDeleted && !meta.IsExpiredAt(time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            return new StreamFound(200, handle, meta);
        }

        return meta.SoftDeleted || meta.RefCount > 0 ? new StreamFound(410, null, null) : StreamFound.NotFound;
    }
}

/// <summary>A lookup's answer: 200 with the stream, or 404 or 410 without.</summary>
public sealed record StreamFound(int Status, StreamHandle? Handle, StreamMeta? Meta)
{
    public static readonly StreamFound NotFound = new(404, null, null);

    public string? Error => Status switch
    {
        200 => null,
        410 => StreamLookup.GoneMessage,
        _ => StreamLookup.NotFoundMessage,
    };
}
