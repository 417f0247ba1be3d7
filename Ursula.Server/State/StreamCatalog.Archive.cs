// Apply of the cold tier's commands: ranges archived by the leader join their streams' manifests
// (and leave PostgreSQL in the same flush), compacted objects replace their predecessors, and the
// garbage list names the objects that still hold rows of streams no entry points to.
using Ursula.Archive.Manifest;
using Ursula.Server.State.Archive;
using Ursula.Server.State.Commands;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    private readonly Dictionary<string, (long Size, HashSet<long> Streams)> garbage = new(StringComparer.Ordinal);
    private long hotBytes;

    /// <summary>Payload bytes of every stream's records that are not archived (PostgreSQL and memory).</summary>
    public long HotBytes => Interlocked.Read(ref hotBytes);

    /// <summary>The objects compaction should visit, as the garbage list stands (apply thread writes, the archiver reads).</summary>
    public IReadOnlyList<ArchiveGarbage> Garbage()
    {
        lock (garbage)
        {
            return garbage.Select(g => new ArchiveGarbage(g.Key, g.Value.Size, g.Value.Streams.ToHashSet())).ToList();
        }
    }

    /// <summary>Every manifest entry that points at <paramref name="objectKey"/>, of live streams.</summary>
    public IReadOnlyList<ManifestEntry> EntriesIn(string objectKey) =>
        byId.Values.SelectMany(h => h.Archive).Where(e => e.ObjectKey == objectKey).ToList();

    internal ApplyOutcome ApplyArchived(ArchiveRangesCommand command, ApplyContext context)
    {
        var changes = current.Changes<ArchiveChanges>();
        for (var i = 0; i < command.Entries.Count; i++)
        {
            var entry = command.Entries[i];
            var meta = byId.TryGetValue(entry.StreamId, out var handle) && !handle.Removed ? handle.Meta : null;
            if (meta is null || entry.Start != meta.ArchivedTo || entry.End > meta.Tail || entry.End <= entry.Start)
            {
                // The stream went, or this range was archived already (a retried round): the object's
                // rows of it are dead, and compaction takes them out.
                AddGarbage(changes, entry.ObjectKey, entry.ObjectSize, entry.StreamId);
                continue;
            }

            handle!.Archive = [.. handle.Archive, entry];
            changes.Upsert(entry);
            changes.Archived(entry.StreamId, entry.End);
            Publish(handle, meta with { ArchivedTo = entry.End, HotBytes = Math.Max(0, meta.HotBytes - command.Bytes[i]) }, context.Touched);
        }

        return new ApplyOutcome(204);
    }

    internal ApplyOutcome ApplyReplaced(ReplaceArchiveObjectCommand command, ApplyContext context)
    {
        var changes = current.Changes<ArchiveChanges>();
        var replacements = command.Replacements.ToLookup(e => e.StreamId);
        foreach (var group in replacements)
        {
            if (!byId.TryGetValue(group.Key, out var handle) || handle.Removed)
            {
                // Removed while the object was being rewritten: its rows in the new object are dead too.
                foreach (var entry in group)
                {
                    AddGarbage(changes, entry.ObjectKey, entry.ObjectSize, entry.StreamId);
                }

                continue;
            }

            var entries = handle.Archive;
            var updated = entries.ToArray();
            foreach (var entry in group)
            {
                var at = Array.FindIndex(updated, e => e.ObjectKey == command.OldKey && e.Start == entry.Start && e.End == entry.End);
                if (at < 0)
                {
                    AddGarbage(changes, entry.ObjectKey, entry.ObjectSize, entry.StreamId);
                    continue;
                }

                updated[at] = entry;
                changes.Upsert(entry);
            }

            handle.Archive = updated;
        }

        lock (garbage)
        {
            garbage.Remove(command.OldKey);
        }

        changes.DropGarbage(command.OldKey);
        return new ApplyOutcome(204);
    }

    /// <summary>A stream left for good: its archived ranges are garbage in their objects.</summary>
    private void ReleaseArchive(StreamHandle handle)
    {
        var meta = handle.Meta;
        Interlocked.Add(ref hotBytes, -meta.HotBytes);
        var changes = current.Changes<ArchiveChanges>();
        if (handle.Archive.Length > 0)
        {
            foreach (var entry in handle.Archive)
            {
                AddGarbage(changes, entry.ObjectKey, entry.ObjectSize, entry.StreamId);
            }

            changes.RemoveStream(meta.Id);
        }
    }

    private void AddGarbage(ArchiveChanges changes, string objectKey, long objectSize, long streamId)
    {
        lock (garbage)
        {
            if (!garbage.TryGetValue(objectKey, out var dead))
            {
                garbage[objectKey] = dead = (objectSize, []);
            }

            dead.Streams.Add(streamId);
        }

        changes.AddGarbage(objectKey, objectSize, streamId);
    }

    private void LoadArchive(CatalogState state)
    {
        foreach (var group in state.Manifest.GroupBy(e => e.StreamId))
        {
            if (byId.TryGetValue(group.Key, out var handle))
            {
                handle.Archive = [.. group.OrderBy(e => e.Start)];
            }
        }

        lock (garbage)
        {
            garbage.Clear();
            foreach (var dead in state.Garbage)
            {
                garbage[dead.ObjectKey] = (dead.ObjectSize, dead.DeadStreams.ToHashSet());
            }
        }

        Interlocked.Exchange(ref hotBytes, state.Streams.Sum(m => m.HotBytes));
    }
}
