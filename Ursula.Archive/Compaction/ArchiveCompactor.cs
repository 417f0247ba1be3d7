// Compaction is how a deleted stream's archived bytes leave object storage: an object packing
// many streams is rewritten without the rows of the removed stream ids. The new object says in
// its footer which object it supersedes, so a restore that finds both (the old one not deleted
// yet) ignores the old one. The object is rewritten through the same writer and reader as any
// other, so survivors come out byte for byte as they went in; it holds one object's survivors in
// memory (about the object target size).
using Ursula.Archive.Format;
using Ursula.Archive.Reading;
using Ursula.Archive.Writing;

namespace Ursula.Archive.Compaction;

public sealed class ArchiveCompactor(ArchiveReader reader, ArchiveWriter writer)
{
    public async Task<CompactionResult> CompactAsync(string objectKey, long objectSize, IReadOnlySet<long> removedStreamIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removedStreamIds);
        var layout = await reader.ReadLayoutAsync(objectKey, objectSize, cancellationToken);
        var entries = layout.EntriesFor(objectKey);
        var survivors = new List<ArchiveSegment>();
        var removed = new List<long>();
        long removedRecords = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var range = layout.Description.Streams[i];
            if (removedStreamIds.Contains(range.StreamId))
            {
                removed.Add(range.StreamId);
                removedRecords += range.End - range.Start;
                continue;
            }

            var records = new List<ArchiveRecord>();
            await foreach (var record in reader.ReadAllAsync(entries[i], cancellationToken))
            {
                records.Add(record);
            }

            survivors.Add(new ArchiveSegment(range.StreamId, range.Path, range.ContentType, records));
        }

        var replacement = survivors.Count == 0 ? null : await writer.WriteObjectAsync(survivors, [objectKey, .. layout.Description.Supersedes], cancellationToken);
        return new CompactionResult(objectKey, replacement, removed, removedRecords);
    }

    /// <summary>The share of an object's positions that belong to removed streams (for choosing what to compact).</summary>
    public static double DeadShare(ObjectLayout layout, IReadOnlySet<long> removedStreamIds)
    {
        var total = layout.Description.Streams.Sum(s => (double)(s.End - s.Start));
        var dead = layout.Description.Streams.Where(s => removedStreamIds.Contains(s.StreamId)).Sum(s => (double)(s.End - s.Start));
        return total == 0 ? 0 : dead / total;
    }
}
