// How archived bytes leave object storage: objects that hold rows of removed streams are rewritten
// without them (or, when nothing in them lives, dropped), the replacement is replicated, and the
// old object is deleted once that is committed and a grace period for reads in progress is over.
// Objects that no manifest entry and no garbage row names (an upload whose command never
// committed, an old object whose deletion a leader change interrupted) are swept once old enough.
using Ursula.Archive.Layout;
using Ursula.Archive.Restore;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Replication.Archiving;

public sealed partial class Archiver
{
    private readonly List<(string Key, DateTimeOffset Due)> deletions = [];
    private DateTimeOffset nextSweep;

    /// <summary>Compacts every object on the garbage list (one round).</summary>
    public async Task CompactAsync(CancellationToken cancellationToken)
    {
        foreach (var dead in catalog.Garbage())
        {
            // A removed stream's rows must not come back through a restore before compaction is done.
            foreach (var stream in dead.DeadStreams.Where(id => !catalog.TryGetById(id, out _)))
            {
                await ArchiveTombstones.WriteAsync(store, stream, cancellationToken);
            }

            var live = catalog.EntriesIn(dead.ObjectKey);
            string? newKey = null;
            if (live.Count == 0)
            {
                await sequencer.SubmitAsLeaderAsync(new ReplaceArchiveObjectCommand(dead.ObjectKey, []), cancellationToken);
            }
            else
            {
                var keep = live.Select(e => e.StreamId).ToHashSet();
                var layout = await compactor.CompactAsync(dead.ObjectKey, dead.ObjectSize, dead.DeadStreams.Where(id => !keep.Contains(id)).ToHashSet(), cancellationToken);
                var replacements = layout.Replacement?.Entries ?? [];
                await sequencer.SubmitAsLeaderAsync(new ReplaceArchiveObjectCommand(dead.ObjectKey, replacements), cancellationToken);
                newKey = layout.Replacement?.Key;
            }

            status.Compacted();
            ArchiveLog.Compacted(logger, dead.ObjectKey, dead.DeadStreams.Count, newKey ?? "(nothing left)");
            deletions.Add((dead.ObjectKey, time.GetUtcNow() + (live.Count == 0 ? TimeSpan.Zero : options.DeleteGrace)));
        }
    }

    private async Task DeleteDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var due in deletions.Where(d => d.Due <= now).ToList())
        {
            await store.DeleteAsync(due.Key, cancellationToken);
            deletions.Remove(due);
            ArchiveLog.Deleted(logger, due.Key, "compacted");
        }
    }

    /// <summary>
    /// Deletes data objects that nothing names, that are older than the orphan age, and that were
    /// written after the oldest object the manifest names; at most every orphan age / 4.
    /// </summary>
    /// <remarks>
    /// Orphans are this cluster's own uploads whose command never committed, so they are always
    /// newer than what its manifest already names. An object older than all of that was written
    /// before this cluster's state began: a node started with an empty PostgreSQL against an
    /// existing archive (it needed a restore first), or another cluster's prefix. Those are never
    /// deleted (at worst an orphan older than every named object leaks), and with nothing named
    /// at all nothing is deleted.
    /// </remarks>
    public async Task SweepOrphansAsync(CancellationToken cancellationToken, bool force = false)
    {
        var now = time.GetUtcNow();
        if (!force && now < nextSweep)
        {
            return;
        }

        nextSweep = now + (options.OrphanAge / 4);
        var named = catalog.Streams.SelectMany(h => h.Archive).Select(e => e.ObjectKey)
            .Concat(catalog.Garbage().Select(g => g.ObjectKey))
            .Concat(deletions.Select(d => d.Key))
            .ToHashSet(StringComparer.Ordinal);
        var unnamed = new List<Ursula.Archive.Storage.ObjectInfo>();
        DateTimeOffset? oldestNamed = null;
        await foreach (var item in store.ListAsync(ArchiveKeys.DataPrefix, cancellationToken))
        {
            if (!ArchiveKeys.IsDataKey(item.Key))
            {
                continue;
            }

            if (named.Contains(item.Key))
            {
                oldestNamed = oldestNamed is { } o && o <= item.LastModified ? o : item.LastModified;
            }
            else
            {
                unnamed.Add(item);
            }
        }

        var older = 0;
        foreach (var item in unnamed)
        {
            if (oldestNamed is not { } floor || item.LastModified <= floor)
            {
                older++;
            }
            else if (now - item.LastModified > options.OrphanAge)
            {
                await store.DeleteAsync(item.Key, cancellationToken);
                ArchiveLog.Deleted(logger, item.Key, "named by no manifest entry");
            }
        }

        if (older > 0)
        {
            ArchiveLog.ForeignObjects(logger, older);
        }
    }
}
