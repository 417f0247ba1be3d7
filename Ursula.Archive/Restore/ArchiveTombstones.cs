// A restore sees only what object storage holds. A stream deleted after it was archived stays in
// its packed objects until compaction rewrites them; its tombstone (v1/meta/deleted/<stream id>,
// an empty object) tells a restore in that window not to bring it back. The archiver writes the
// tombstone before it compacts, and may delete it once no object holds the stream any more.
using System.Globalization;
using Ursula.Archive.Layout;
using Ursula.Archive.Storage;

namespace Ursula.Archive.Restore;

public static class ArchiveTombstones
{
    private const string Folder = "deleted/";

    public static string KeyOf(long streamId) => ArchiveKeys.MetaKey(Folder + streamId.ToString(CultureInfo.InvariantCulture));

    public static Task WriteAsync(IObjectStore store, long streamId, CancellationToken cancellationToken) =>
        store.PutAsync(KeyOf(streamId), new MemoryStream([]), cancellationToken);

    public static Task DeleteAsync(IObjectStore store, long streamId, CancellationToken cancellationToken) =>
        store.DeleteAsync(KeyOf(streamId), cancellationToken);

    public static async Task<IReadOnlySet<long>> ReadAllAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var prefix = ArchiveKeys.MetaPrefix + Folder;
        var ids = new HashSet<long>();
        await foreach (var item in store.ListAsync(prefix, cancellationToken))
        {
            if (long.TryParse(item.Key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
