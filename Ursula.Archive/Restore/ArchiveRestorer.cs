// Disaster recovery from object storage alone: every data object describes itself in its footer,
// so a scan of v1/data/ (one footer read per object) rebuilds each stream's identity, content
// type and manifest entries; ReadAsync then yields its appends in order, for the server to load
// back into PostgreSQL. Objects can overlap (an upload whose manifest change never committed,
// then the same range archived again): they hold the same committed appends, so the scan keeps
// a chain of entries that do not overlap, and reading skips positions already yielded.
using System.Runtime.CompilerServices;
using Ursula.Archive.Format;
using Ursula.Archive.Layout;
using Ursula.Archive.Manifest;
using Ursula.Archive.Reading;
using Ursula.Archive.Storage;

namespace Ursula.Archive.Restore;

public sealed class ArchiveRestorer(ArchiveReader reader)
{
    public async Task<RestorePlan> ScanAsync(CancellationToken cancellationToken)
    {
        var store = reader.Store;
        var tombstones = await ArchiveTombstones.ReadAllAsync(store, cancellationToken);
        var objects = new List<ObjectInfo>();
        var layouts = new Dictionary<string, ObjectLayout>(StringComparer.Ordinal);
        var unreadable = new List<(string, string)>();
        await foreach (var item in store.ListAsync(ArchiveKeys.DataPrefix, cancellationToken))
        {
            if (!ArchiveKeys.IsDataKey(item.Key))
            {
                continue;
            }

            try
            {
                layouts[item.Key] = await reader.ReadLayoutAsync(item.Key, item.Size, cancellationToken);
                objects.Add(item);
            }
            catch (FormatException ex)
            {
                unreadable.Add((item.Key, ex.Message));
            }
        }

        var superseded = layouts.Values.SelectMany(l => l.Description.Supersedes).Where(layouts.ContainsKey).ToHashSet(StringComparer.Ordinal);
        var ranges = new Dictionary<long, List<(StreamRange Range, ManifestEntry Entry)>>();
        foreach (var (key, layout) in layouts.Where(p => !superseded.Contains(p.Key)))
        {
            var entries = layout.EntriesFor(key);
            for (var i = 0; i < entries.Count; i++)
            {
                var streamId = entries[i].StreamId;
                if (!ranges.TryGetValue(streamId, out var list))
                {
                    ranges[streamId] = list = [];
                }

                list.Add((layout.Description.Streams[i], entries[i]));
            }
        }

        var streams = ranges.Where(p => !tombstones.Contains(p.Key)).Select(p => Chain(p.Key, p.Value)).OrderBy(s => s.Path, StringComparer.Ordinal).ThenBy(s => s.StreamId).ToList();
        return new RestorePlan(
            streams,
            [.. objects.Where(o => !superseded.Contains(o.Key))],
            [.. superseded.Order(StringComparer.Ordinal)],
            [.. tombstones.Where(ranges.ContainsKey).Order()],
            unreadable);
    }

    /// <summary>The stream's appends in position order, each position once.</summary>
    public async IAsyncEnumerable<ArchiveRecord> ReadAsync(RestoredStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = long.MinValue;
        foreach (var entry in stream.Entries)
        {
            await foreach (var record in reader.ReadAllAsync(entry, cancellationToken))
            {
                if (record.Start >= next)
                {
                    next = record.End;
                    yield return record;
                }
            }
        }
    }

    private static RestoredStream Chain(long streamId, List<(StreamRange Range, ManifestEntry Entry)> found)
    {
        // Greedy interval cover: from the covered point, take the entry that starts at or before it
        // and reaches furthest, trimmed to start at the covered point (always an append boundary,
        // since every object holds the same committed appends).
        var ordered = found.Select(f => f.Entry).OrderBy(e => e.Start).ThenBy(e => e.WrittenAtMs).ToList();
        var chain = new List<ManifestEntry>();
        var gaps = new List<(long, long)>();
        var covered = ordered[0].Start;
        var i = 0;
        while (i < ordered.Count)
        {
            ManifestEntry? best = null;
            for (; i < ordered.Count && ordered[i].Start <= covered; i++)
            {
                if (ordered[i].End > (best?.End ?? covered))
                {
                    best = ordered[i];
                }
            }

            if (best is null)
            {
                if (i < ordered.Count)
                {
                    gaps.Add((covered, ordered[i].Start));
                    covered = ordered[i].Start;
                }

                continue;
            }

            chain.Add(Trim(best, covered));
            covered = best.End;
        }

        var first = found[0].Range;
        var latest = found.MaxBy(f => f.Entry.WrittenAtMs).Range;
        return new RestoredStream(streamId, first.Path, latest.ContentType, chain, gaps);
    }

    private static ManifestEntry Trim(ManifestEntry entry, long from) => from <= entry.Start
        ? entry
        : entry with
        {
            Start = from,
            RowGroups = [.. entry.RowGroups.Where(g => g.End > from).Select(g => g.Start < from ? g with { Start = from } : g)],
        };
}
