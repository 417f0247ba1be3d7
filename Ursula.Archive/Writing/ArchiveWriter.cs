// The archiver's half of the cold tier: segments in, verified objects and their manifest entries
// out. An object is assembled in a spool file, uploaded with one atomic put, and checked by size
// before it is reported; if anything fails nothing is reported, and the caller (the archiver on
// the leader) retries later while the data stays hot. An object that was uploaded but never made
// it into a committed manifest is an orphan; see docs/archive.md for how those are swept.
using Ursula.Archive.Format;
using Ursula.Archive.Layout;
using Ursula.Archive.Storage;

namespace Ursula.Archive.Writing;

public sealed class ArchiveWriter
{
    private readonly IObjectStore store;
    private readonly ArchiveWriterOptions options;
    private readonly TimeProvider time;

    public ArchiveWriter(IObjectStore store, ArchiveWriterOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.store = store;
        this.options = options;
        this.time = time ?? TimeProvider.System;
    }

    public ArchiveWriterOptions Options => options;

    /// <summary>Plans objects near the target size and writes each; returns them in order.</summary>
    public async Task<IReadOnlyList<ArchivedObject>> WriteAsync(IReadOnlyList<ArchiveSegment> segments, CancellationToken cancellationToken)
    {
        var written = new List<ArchivedObject>();
        foreach (var batch in ArchivePlanner.Plan(segments, options.ObjectTargetBytes))
        {
            written.Add(await WriteObjectAsync(batch, cancellationToken));
        }

        return written;
    }

    /// <summary>Writes exactly these segments into one object.</summary>
    public Task<ArchivedObject> WriteObjectAsync(IReadOnlyList<ArchiveSegment> segments, CancellationToken cancellationToken) =>
        WriteObjectAsync(segments, [], cancellationToken);

    internal async Task<ArchivedObject> WriteObjectAsync(IReadOnlyList<ArchiveSegment> segments, IReadOnlyList<string> supersedes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var now = time.GetUtcNow();
        var objectId = ArchiveKeys.NewObjectId(now);
        var key = ArchiveKeys.DataKey(now, objectId);
        var spool = Path.Combine(options.SpoolDirectory ?? Path.GetTempPath(), $"ursula-archive-{objectId}.parquet.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(spool)!);
        await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var layout = await ParquetObjectWriter.WriteAsync(file, segments, objectId, now.ToUnixTimeMilliseconds(), supersedes, options, cancellationToken);

        file.Position = 0;
        await store.PutAsync(key, file, cancellationToken);
        var stored = await store.HeadAsync(key, cancellationToken);
        if (stored?.Size != layout.Size)
        {
            var found = stored is null ? "no object" : $"{stored.Size} bytes";
            throw new ObjectStoreException(store.Description, key, $"size check failed after the upload ({found} stored, {layout.Size} written) of", null);
        }

        return new ArchivedObject(key, layout.Size, layout.Description.WrittenAtMs, layout.EntriesFor(key));
    }
}
