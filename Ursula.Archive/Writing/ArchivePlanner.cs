// Groups segments into objects near the target size, in the order objects sort their rows
// (path, then stream id). Small segments share an object, so many small streams become a few
// objects; a segment larger than what is left of an object is cut between two appends and
// continues in the next object.
using Ursula.Archive.Format;

namespace Ursula.Archive.Writing;

public static class ArchivePlanner
{
    public static IReadOnlyList<IReadOnlyList<ArchiveSegment>> Plan(IEnumerable<ArchiveSegment> segments, long objectTargetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(objectTargetBytes, 1);
        var objects = new List<IReadOnlyList<ArchiveSegment>>();
        var current = new List<ArchiveSegment>();
        long bytes = 0;
        foreach (var segment in segments.OrderBy(s => s.Path, StringComparer.Ordinal).ThenBy(s => s.StreamId))
        {
            var from = 0;
            for (var i = 0; i < segment.Records.Count; i++)
            {
                bytes += ParquetObjectWriter.Estimate(segment, segment.Records[i]);
                if (bytes >= objectTargetBytes)
                {
                    current.Add(segment with { Records = Slice(segment.Records, from, i + 1) });
                    objects.Add(current);
                    current = [];
                    bytes = 0;
                    from = i + 1;
                }
            }

            if (from < segment.Records.Count)
            {
                current.Add(from == 0 ? segment : segment with { Records = Slice(segment.Records, from, segment.Records.Count) });
            }
        }

        if (current.Count > 0)
        {
            objects.Add(current);
        }

        return objects;
    }

    /// <summary>The estimated size of a segment's rows, by the measure of the targets.</summary>
    public static long EstimateBytes(ArchiveSegment segment) => segment.Records.Sum(r => ParquetObjectWriter.Estimate(segment, r));

    private static ArchiveRecord[] Slice(IReadOnlyList<ArchiveRecord> records, int from, int to)
    {
        var slice = new ArchiveRecord[to - from];
        for (var i = from; i < to; i++)
        {
            slice[i - from] = records[i];
        }

        return slice;
    }
}
