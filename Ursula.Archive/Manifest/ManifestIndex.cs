// The manifest in memory: entries per stream incarnation, sorted by start, for the read tier's
// look-up of the entries covering a position range. Thread-safe: apply adds and removes while
// readers look up. Adding the same entry twice is a no-op (apply may run twice after a crash);
// an entry overlapping a different one of the same stream is refused, since the archive would
// then hold two versions of the same positions.
namespace Ursula.Archive.Manifest;

public sealed class ManifestIndex
{
    private readonly Lock gate = new();
    private readonly Dictionary<long, List<ManifestEntry>> byStream = [];
    private readonly Dictionary<string, int> entriesPerObject = new(StringComparer.Ordinal);

    public ManifestIndex()
    {
    }

    public ManifestIndex(IEnumerable<ManifestEntry> entries)
    {
        foreach (var entry in entries)
        {
            Add(entry);
        }
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return byStream.Values.Sum(l => l.Count);
            }
        }
    }

    /// <summary>Adds an entry; false when the same entry is already present.</summary>
    public bool Add(ManifestEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.End <= entry.Start)
        {
            throw new ArgumentException($"Entry [{entry.Start}, {entry.End}) of stream {entry.StreamId} is empty.", nameof(entry));
        }

        lock (gate)
        {
            if (!byStream.TryGetValue(entry.StreamId, out var list))
            {
                byStream[entry.StreamId] = list = [];
            }

            var at = FirstEndingAfter(list, entry.Start);
            if (at < list.Count && list[at].Start < entry.End)
            {
                if (list[at].Equals(entry))
                {
                    return false;
                }

                throw new InvalidOperationException($"Entry [{entry.Start}, {entry.End}) of stream {entry.StreamId} in {entry.ObjectKey} overlaps [{list[at].Start}, {list[at].End}) in {list[at].ObjectKey}.");
            }

            list.Insert(at, entry);
            entriesPerObject[entry.ObjectKey] = entriesPerObject.GetValueOrDefault(entry.ObjectKey) + 1;
            return true;
        }
    }

    /// <summary>The entries holding any of [from, to) of the stream, in position order.</summary>
    public IReadOnlyList<ManifestEntry> Find(long streamId, long from, long to)
    {
        lock (gate)
        {
            if (!byStream.TryGetValue(streamId, out var list))
            {
                return [];
            }

            var found = new List<ManifestEntry>();
            for (var i = FirstEndingAfter(list, from); i < list.Count && list[i].Start < to; i++)
            {
                found.Add(list[i]);
            }

            return found;
        }
    }

    /// <summary>Every entry of the stream, in position order.</summary>
    public IReadOnlyList<ManifestEntry> EntriesOf(long streamId) => Find(streamId, 0, long.MaxValue);

    /// <summary>Every entry stored in the object (what a compaction of it must account for).</summary>
    public IReadOnlyList<ManifestEntry> EntriesIn(string objectKey)
    {
        lock (gate)
        {
            return [.. byStream.Values.SelectMany(l => l).Where(e => e.ObjectKey == objectKey)];
        }
    }

    public IReadOnlyList<string> ObjectKeys()
    {
        lock (gate)
        {
            return [.. entriesPerObject.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<ManifestEntry> All()
    {
        lock (gate)
        {
            return [.. byStream.OrderBy(p => p.Key).SelectMany(p => p.Value)];
        }
    }

    /// <summary>Forgets a deleted stream incarnation; returns the entries it had.</summary>
    public IReadOnlyList<ManifestEntry> RemoveStream(long streamId)
    {
        lock (gate)
        {
            if (!byStream.Remove(streamId, out var list))
            {
                return [];
            }

            foreach (var entry in list)
            {
                Forget(entry.ObjectKey);
            }

            return list;
        }
    }

    /// <summary>
    /// Swaps an object's entries for a compacted object's: every entry in the old object goes, the
    /// replacements come in, atomically for readers.
    /// </summary>
    public void ReplaceObject(string oldKey, IEnumerable<ManifestEntry> replacements)
    {
        var added = replacements.ToList();
        lock (gate)
        {
            foreach (var list in byStream.Values)
            {
                var removed = list.RemoveAll(e => e.ObjectKey == oldKey);
                for (var i = 0; i < removed; i++)
                {
                    Forget(oldKey);
                }
            }

            foreach (var entry in added)
            {
                Add(entry);
            }
        }
    }

    private void Forget(string objectKey)
    {
        var left = entriesPerObject[objectKey] - 1;
        if (left == 0)
        {
            entriesPerObject.Remove(objectKey);
        }
        else
        {
            entriesPerObject[objectKey] = left;
        }
    }

    private static int FirstEndingAfter(List<ManifestEntry> list, long position)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].End <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
