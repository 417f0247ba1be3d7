// Read-ahead: a read starts decoding the row groups that follow the first one it needs, in the
// background, so a reader moving forward (a catch-up) finds its next row groups decoded or being
// decoded instead of waiting for each in turn, and the one it needs next decodes on another core
// while this one is served. Bounded three ways: at most ReadAheadRowGroups after the read's first
// row group, at most that many decodes ahead at once for the whole reader, and only row groups
// whose estimated size fits the decoded cache many times over; what they decode goes into the
// decoded cache and counts against it like any read. Disposing the reader cancels them.
using Ursula.Archive.Manifest;

namespace Ursula.Archive.Reading;

public sealed partial class ArchiveReader
{
    private readonly CancellationTokenSource stopping = new();
    private int readingAhead;

    /// <summary>Row groups being decoded ahead right now.</summary>
    internal int ReadAheadsRunning => Volatile.Read(ref readingAhead);

    /// <summary>Row groups decoded ahead so far (started, whatever came of them).</summary>
    internal long ReadAheadsStarted => Interlocked.Read(ref readAheadsStarted);

    private long readAheadsStarted;

    /// <summary>Cancels the decodes running ahead; reads still work, with no read-ahead.</summary>
    public void Dispose() => stopping.Cancel();

    private void ReadAhead(IReadOnlyList<ManifestEntry> entries, long from, long to)
    {
        var depth = cache.Options.ReadAheadRowGroups;
        if (depth == 0 || entries.Count == 0 || stopping.IsCancellationRequested)
        {
            return;
        }

        var first = entries[0].RowGroupsFor(Math.Max(from, entries[0].Start), Math.Min(to, entries[0].End)).Select(g => (int?)g.Index).Min();
        if (first is null)
        {
            return;
        }

        foreach (var (entry, group) in Following(entries, first.Value).Take(depth))
        {
            if (cache.HasOrDecodes(entry.ObjectKey, group.Index))
            {
                continue;
            }

            if (EstimatedBytes(group) * depth > cache.DecodedCapacityBytes / 2)
            {
                return;
            }

            if (Interlocked.Increment(ref readingAhead) > depth)
            {
                Interlocked.Decrement(ref readingAhead);
                return;
            }

            Interlocked.Increment(ref readAheadsStarted);
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(() => DecodeAheadAsync(entry, group.Index));
            }
        }
    }

    /// <summary>The row groups after the first entry's row group <paramref name="rowGroup"/>, through the following entries.</summary>
    private static IEnumerable<(ManifestEntry Entry, RowGroupLocator Group)> Following(IReadOnlyList<ManifestEntry> entries, int rowGroup)
    {
        for (var e = 0; e < entries.Count; e++)
        {
            foreach (var group in entries[e].RowGroups.OrderBy(g => g.Index))
            {
                if (e > 0 || group.Index > rowGroup)
                {
                    yield return (entries[e], group);
                }
            }
        }
    }

    /// <summary>
    /// What the row group takes decoded, at least: its stored bytes, or for a byte stream its
    /// payload bytes (positions are bytes there) when compression made them fewer.
    /// </summary>
    private static long EstimatedBytes(RowGroupLocator group) => Math.Max(group.Length, group.End - group.Start);

    private async Task DecodeAheadAsync(ManifestEntry entry, int rowGroup)
    {
        try
        {
            await using var source = new LazyObject(this, entry.ObjectKey, entry.ObjectSize);
            await GetRowGroupAsync(source, rowGroup, stopping.Token);
        }
#pragma warning disable CA1031 // A failed read-ahead is nobody's error: a reader that needs the row group decodes it and sees the failure itself.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Interlocked.Decrement(ref readingAhead);
        }
    }
}
