// Turns segments into one Parquet object: rows sorted by stream path, stream id, then position;
// one row per message for JSON streams and one per append otherwise; a row group is cut once it
// reaches the target, always between two appends, so a row group holds whole appends and an
// append can be read back from the row groups its entry lists.
using System.Text;
using Parquet;
using Ursula.Archive.Format;

namespace Ursula.Archive.Writing;

internal static class ParquetObjectWriter
{
    public static async Task<ObjectLayout> WriteAsync(
        Stream destination,
        IReadOnlyList<ArchiveSegment> segments,
        string objectId,
        long writtenAtMs,
        IReadOnlyList<string> supersedes,
        ArchiveWriterOptions options,
        CancellationToken cancellationToken)
    {
        var ordered = Order(segments);
        var buffer = new RowGroupBuffer();
        var ranges = new List<StreamRange>();
        var groupIndex = 0;
        var parquetOptions = new ParquetOptions { CompressionMethod = Map(options.Compression) };
        await using (var writer = await ParquetWriter.CreateAsync(ArchiveSchema.Schema, destination, parquetOptions, append: false, cancellationToken))
        {
            foreach (var segment in ordered)
            {
                var spans = new List<RowGroupSpan>();
                var json = segment.IsJson;
                var hasText = MediaTypes.HasText(segment.ContentType);
                foreach (var record in segment.Records)
                {
                    if (record.Length == 0)
                    {
                        continue;
                    }

                    AddRows(buffer, segment, record, json, hasText);
                    if (spans.Count > 0 && spans[^1].Index == groupIndex)
                    {
                        spans[^1] = spans[^1] with { End = record.End };
                    }
                    else
                    {
                        spans.Add(new RowGroupSpan(groupIndex, record.Start, record.End));
                    }

                    if (buffer.Bytes >= options.RowGroupTargetBytes)
                    {
                        await buffer.WriteAsync(writer, cancellationToken);
                        buffer.Clear();
                        groupIndex++;
                    }
                }

                if (spans.Count > 0)
                {
                    ranges.Add(new StreamRange(segment.StreamId, segment.Path, segment.ContentType, spans[0].Start, spans[^1].End, spans));
                }
            }

            if (buffer.Rows > 0)
            {
                await buffer.WriteAsync(writer, cancellationToken);
            }

            var description = new ObjectDescription(ArchiveSchema.FormatVersion, objectId, writtenAtMs, supersedes, ranges);
            writer.CustomMetadata = new Dictionary<string, string> { [ArchiveSchema.MetadataKey] = description.ToJson() };
        }

        await destination.FlushAsync(cancellationToken);
        destination.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(destination, leaveStreamOpen: true, cancellationToken: cancellationToken);
        return ObjectLayout.From(reader, destination.Length);
    }

    /// <summary>The bytes a segment's rows will take, by the measure the targets use.</summary>
    public static long Estimate(ArchiveSegment segment, ArchiveRecord record)
    {
        var rows = segment.IsJson ? Math.Max(record.Length, 1) : 1;
        var text = MediaTypes.HasText(segment.ContentType) ? record.Payload.Length : 0;
        return (rows * RowGroupBuffer.EstimateRow(0, 0, segment.Path.Length)) + record.Payload.Length + text;
    }

    private static List<ArchiveSegment> Order(IReadOnlyList<ArchiveSegment> segments)
    {
        var seen = new HashSet<long>();
        foreach (var segment in segments)
        {
            segment.Validate();
            if (!seen.Add(segment.StreamId))
            {
                throw new ArgumentException($"Stream {segment.StreamId} appears in two segments of one object.", nameof(segments));
            }
        }

        return [.. segments.OrderBy(s => s.Path, StringComparer.Ordinal).ThenBy(s => s.StreamId)];
    }

    private static void AddRows(RowGroupBuffer buffer, ArchiveSegment segment, ArchiveRecord record, bool json, bool hasText)
    {
        if (!json)
        {
            buffer.Add(segment, record, record.Start, record.End, record.Payload, hasText ? Encoding.UTF8.GetString(record.Payload) : null);
            return;
        }

        var messages = JsonMessageSplitter.Split(record.Payload);
        if (messages.Count != record.Length)
        {
            throw new ArgumentException($"JSON record [{record.Start}, {record.End}) of stream {segment.StreamId} holds {messages.Count} messages.", nameof(record));
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var (offset, length) = messages[i];
            var cell = record.Payload.AsMemory(offset, length);
            buffer.Add(segment, record, record.Start + i, record.Start + i + 1, cell, Encoding.UTF8.GetString(cell.Span));
        }
    }

    private static CompressionMethod Map(ArchiveCompression compression) => compression switch
    {
        ArchiveCompression.None => CompressionMethod.None,
        ArchiveCompression.Snappy => CompressionMethod.Snappy,
        ArchiveCompression.Zstd => CompressionMethod.Zstd,
        ArchiveCompression.Gzip => CompressionMethod.Gzip,
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}
