// The rows of one row group, column by column, until the writer flushes them. Payload cells are
// slices of the callers' record arrays, so no payload is copied before Parquet encodes it.
using Parquet;
using Ursula.Archive.Format;

namespace Ursula.Archive.Writing;

internal sealed class RowGroupBuffer
{
    private const int FixedRowBytes = 64;

    private readonly Column<ReadOnlyMemory<char>> stream = new();
    private readonly Column<long> streamId = new();
    private readonly Column<ReadOnlyMemory<char>> contentType = new();
    private readonly Column<ReadOnlyMemory<char>> startOffset = new();
    private readonly Column<ReadOnlyMemory<char>> endOffset = new();
    private readonly Column<long> startPos = new();
    private readonly Column<long> endPos = new();
    private readonly Column<long> recordStart = new();
    private readonly Column<long> recordEnd = new();
    private readonly Column<DateTime> appendedAt = new();
    private readonly Column<long> logIndex = new();
    private readonly Column<ReadOnlyMemory<char>?> producerId = new();
    private readonly Column<long?> producerEpoch = new();
    private readonly Column<long?> producerSeq = new();
    private readonly Column<ReadOnlyMemory<byte>> payload = new();
    private readonly Column<ReadOnlyMemory<char>?> text = new();

    public int Rows => streamId.Count;

    /// <summary>The estimated size of the buffered rows, the measure of the row-group target.</summary>
    public long Bytes { get; private set; }

    public static long EstimateRow(int payloadBytes, int textChars, int pathLength) =>
        FixedRowBytes + (2L * OffsetToken.Length) + pathLength + payloadBytes + textChars;

    public void Add(ArchiveSegment segment, ArchiveRecord record, long start, long end, ReadOnlyMemory<byte> cell, string? textCell)
    {
        stream.Add(segment.Path.AsMemory());
        streamId.Add(segment.StreamId);
        contentType.Add(segment.ContentType.AsMemory());
        startOffset.Add(OffsetToken.Format(start).AsMemory());
        endOffset.Add(OffsetToken.Format(end).AsMemory());
        startPos.Add(start);
        endPos.Add(end);
        recordStart.Add(record.Start);
        recordEnd.Add(record.End);
        appendedAt.Add(DateTime.UnixEpoch.AddMilliseconds(record.AppendedAtMs));
        logIndex.Add(record.LogIndex);
        producerId.Add(record.Producer?.Id.AsMemory());
        producerEpoch.Add(record.Producer?.Epoch);
        producerSeq.Add(record.Producer?.Seq);
        payload.Add(cell);
        text.Add(textCell?.AsMemory());
        Bytes += EstimateRow(cell.Length, textCell?.Length ?? 0, segment.Path.Length);
    }

    public async Task WriteAsync(ParquetWriter writer, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(ArchiveSchema.Stream, stream.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.StreamId, streamId.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.ContentType, contentType.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.StartOffset, startOffset.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.EndOffset, endOffset.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.StartPos, startPos.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.EndPos, endPos.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.RecordStart, recordStart.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.RecordEnd, recordEnd.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.AppendedAt, appendedAt.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.LogIndex, logIndex.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.ProducerId, producerId.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.ProducerEpoch, producerEpoch.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.ProducerSeq, producerSeq.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.Payload, payload.Memory, cancellationToken: cancellationToken);
        await group.WriteAsync(ArchiveSchema.Text, text.Memory, cancellationToken: cancellationToken);
        group.CompleteValidate();
    }

    public void Clear()
    {
        foreach (var column in new IClearable[] { stream, streamId, contentType, startOffset, endOffset, startPos, endPos, recordStart, recordEnd, appendedAt, logIndex, producerId, producerEpoch, producerSeq, payload, text })
        {
            column.Clear();
        }

        Bytes = 0;
    }

    private interface IClearable
    {
        void Clear();
    }

    private sealed class Column<T> : IClearable
    {
        private T[] items = new T[256];

        public int Count { get; private set; }

        public ReadOnlyMemory<T> Memory => items.AsMemory(0, Count);

        public void Add(T item)
        {
            if (Count == items.Length)
            {
                Array.Resize(ref items, items.Length * 2);
            }

            items[Count++] = item;
        }

        public void Clear()
        {
            Array.Clear(items, 0, Count);
            Count = 0;
        }
    }
}
