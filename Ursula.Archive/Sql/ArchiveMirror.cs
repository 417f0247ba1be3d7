// DuckDB reads S3 through its httpfs extension, which it downloads from the internet on first use;
// a node without that access cannot load it. So SQL over a remote archive runs on a local mirror:
// data objects are downloaded once into a cache directory laid out exactly like the archive (a
// filesystem store), and objects gone from the archive are removed from the mirror. Objects are
// immutable, so an object already mirrored with the right size is never fetched again.
using Ursula.Archive.Layout;
using Ursula.Archive.Storage;

namespace Ursula.Archive.Sql;

public static class ArchiveMirror
{
    public sealed record SyncResult(int Downloaded, int Removed, long BytesDownloaded, IReadOnlyList<ObjectInfo> Objects);

    public static async Task<SyncResult> SyncAsync(IObjectStore source, FileSystemObjectStore mirror, CancellationToken cancellationToken)
    {
        var wanted = new List<ObjectInfo>();
        await foreach (var item in source.ListAsync(ArchiveKeys.DataPrefix, cancellationToken))
        {
            if (ArchiveKeys.IsDataKey(item.Key))
            {
                wanted.Add(item);
            }
        }

        var have = new Dictionary<string, ObjectInfo>(StringComparer.Ordinal);
        await foreach (var item in mirror.ListAsync(ArchiveKeys.DataPrefix, cancellationToken))
        {
            have[item.Key] = item;
        }

        int downloaded = 0, removed = 0;
        long bytes = 0;
        foreach (var item in wanted)
        {
            if (have.TryGetValue(item.Key, out var local) && local.Size == item.Size)
            {
                continue;
            }

            var spool = Path.Combine(mirror.Root, $".download-{Guid.NewGuid():N}.tmp");
            Directory.CreateDirectory(mirror.Root);
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous))
            {
                await source.DownloadAsync(item.Key, file, cancellationToken);
                file.Position = 0;
                await mirror.PutAsync(item.Key, file, cancellationToken);
            }

            downloaded++;
            bytes += item.Size;
        }

        var current = wanted.Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in have.Keys.Where(k => !current.Contains(k)))
        {
            await mirror.DeleteAsync(key, cancellationToken);
            removed++;
        }

        // Tombstones travel too: the SQL view leaves tombstoned streams out.
        var tombstonePrefix = ArchiveKeys.MetaPrefix + "deleted/";
        var tombstones = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in source.ListAsync(tombstonePrefix, cancellationToken))
        {
            tombstones.Add(item.Key);
            await mirror.PutAsync(item.Key, new MemoryStream([]), cancellationToken);
        }

        await foreach (var item in mirror.ListAsync(tombstonePrefix, cancellationToken))
        {
            if (!tombstones.Contains(item.Key))
            {
                await mirror.DeleteAsync(item.Key, cancellationToken);
            }
        }

        return new SyncResult(downloaded, removed, bytes, wanted);
    }
}
