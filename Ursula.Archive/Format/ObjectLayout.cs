// An object as its footer tells it: the self-description and where each row group's bytes are.
// A row group's range spans all of its column chunks (dictionary page, when there is one, to the
// end of the last page), which is what a range read of that row group must fetch.
using Parquet;
using Parquet.Meta;
using Ursula.Archive.Manifest;

namespace Ursula.Archive.Format;

public sealed record ObjectLayout(ObjectDescription Description, IReadOnlyList<ByteRange> RowGroups, long Size)
{
    internal static ObjectLayout From(ParquetReader reader, long size)
    {
        if (!reader.CustomMetadata.TryGetValue(ArchiveSchema.MetadataKey, out var json))
        {
            throw new FormatException($"The object has no '{ArchiveSchema.MetadataKey}' footer entry; it was not written by the archive.");
        }

        var description = ObjectDescription.FromJson(json);
        if (description.Format != ArchiveSchema.FormatVersion)
        {
            throw new FormatException($"Archive format {description.Format} is not known (this build reads {ArchiveSchema.FormatVersion}).");
        }

        var groups = reader.Metadata!.RowGroups.Select(g => Span(g.Columns)).ToList();
        return new ObjectLayout(description, groups, size);
    }

    /// <summary>The bytes of the named columns in one row group, coalesced where they touch.</summary>
    internal static List<ByteRange> ColumnRanges(ParquetReader reader, int rowGroup, IEnumerable<string> columns)
    {
        var wanted = columns.ToHashSet(StringComparer.Ordinal);
        var ranges = reader.Metadata!.RowGroups[rowGroup].Columns
            .Where(c => wanted.Contains(c.MetaData!.PathInSchema[0]))
            .Select(c => Chunk(c))
            .OrderBy(r => r.Offset)
            .ToList();
        var merged = new List<ByteRange>();
        foreach (var range in ranges)
        {
            if (merged.Count > 0 && merged[^1].End >= range.Offset)
            {
                merged[^1] = new ByteRange(merged[^1].Offset, Math.Max(merged[^1].End, range.End) - merged[^1].Offset);
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }

    /// <summary>The manifest entries for every stream range the object holds.</summary>
    public IReadOnlyList<ManifestEntry> EntriesFor(string key) =>
        [.. Description.Streams.Select(s => new ManifestEntry(
            s.StreamId, s.Path, s.Start, s.End, key, Size, Description.WrittenAtMs,
            [.. s.RowGroups.Select(g => new RowGroupLocator(g.Index, RowGroups[g.Index].Offset, RowGroups[g.Index].Length, g.Start, g.End))]))];

    private static ByteRange Span(IEnumerable<ColumnChunk> columns)
    {
        var chunks = columns.Select(Chunk).ToList();
        var start = chunks.Min(c => c.Offset);
        return new ByteRange(start, chunks.Max(c => c.End) - start);
    }

    private static ByteRange Chunk(ColumnChunk column)
    {
        var meta = column.MetaData!;
        var start = meta.DictionaryPageOffset is { } dictionary and > 0 ? Math.Min(dictionary, meta.DataPageOffset) : meta.DataPageOffset;
        return new ByteRange(start, meta.TotalCompressedSize);
    }
}

public readonly record struct ByteRange(long Offset, long Length)
{
    public long End => Offset + Length;
}
