// Decoding one row group: only the columns the record form needs are fetched and decoded (the
// analyst-facing text and offset columns are skipped), and consecutive rows of one append (JSON
// messages) are joined by commas again. The result goes into the decoded cache.
using System.Runtime.InteropServices;
using Ursula.Archive.Format;

namespace Ursula.Archive.Reading;

public sealed partial class ArchiveReader
{
    private Task<DecodedRowGroup> GetRowGroupAsync(LazyObject source, int rowGroup, CancellationToken cancellationToken) =>
        cache.TryGetDecoded(source.Key, rowGroup, out var cached)
            ? Task.FromResult(cached)
            : cache.GetOrDecodeAsync(source.Key, rowGroup, async () => await DecodeAsync(await source.GetAsync(cancellationToken), rowGroup, cancellationToken), cancellationToken);

    private static async Task<DecodedRowGroup> DecodeAsync(OpenObject source, int rowGroup, CancellationToken cancellationToken)
    {
        await source.Stream.PrefetchAsync(ObjectLayout.ColumnRanges(source.Reader, rowGroup, DecodedColumns));
        var group = source.Reader.OpenRowGroupReader(rowGroup);
        var rows = checked((int)group.RowCount);
        var ids = new long[rows];
        var recordStarts = new long[rows];
        var recordEnds = new long[rows];
        var appendedAt = new DateTime[rows];
        var logIndex = new long[rows];
        var producerId = new string?[rows];
        var producerEpoch = new long?[rows];
        var producerSeq = new long?[rows];
        var payload = new ReadOnlyMemory<byte>[rows];
        await group.ReadAsync(ArchiveSchema.StreamId, ids.AsMemory(), cancellationToken: cancellationToken);
        await group.ReadAsync(ArchiveSchema.RecordStart, recordStarts.AsMemory(), cancellationToken: cancellationToken);
        await group.ReadAsync(ArchiveSchema.RecordEnd, recordEnds.AsMemory(), cancellationToken: cancellationToken);
        await group.ReadAsync(ArchiveSchema.AppendedAt, appendedAt.AsMemory(), cancellationToken: cancellationToken);
        await group.ReadAsync(ArchiveSchema.LogIndex, logIndex.AsMemory(), cancellationToken: cancellationToken);
        await group.ReadAsync(ArchiveSchema.ProducerId, producerId.AsMemory(), cancellationToken: cancellationToken);
        await group.ReadAsync(ArchiveSchema.ProducerEpoch, producerEpoch.AsMemory(), cancellationToken: cancellationToken);
        await group.ReadAsync(ArchiveSchema.ProducerSeq, producerSeq.AsMemory(), cancellationToken: cancellationToken);
        // Raw: Parquet.Net's byte[] overload copies every cell once more out of the cell it decoded.
        await group.ReadRawAsync(ArchiveSchema.Payload, payload.AsMemory(), definitionLevels: null, repetitionLevels: null, cancellationToken);

        var streamIds = new List<long>();
        var records = new List<ArchiveRecord>();
        var row = 0;
        while (row < rows)
        {
            var end = row + 1;
            while (end < rows && ids[end] == ids[row] && recordStarts[end] == recordStarts[row])
            {
                end++;
            }

            var record = new ArchiveRecord(
                recordStarts[row],
                recordEnds[row],
                (appendedAt[row].Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond,
                logIndex[row],
                Join(payload, row, end),
                producerId[row] is { } id ? new ArchiveProducer(id, producerEpoch[row], producerSeq[row]) : null);
            if (end - row != record.Length && end - row != 1)
            {
                throw new FormatException($"Append [{record.Start}, {record.End}) of stream {ids[row]} has {end - row} rows in row group {rowGroup}.");
            }

            streamIds.Add(ids[row]);
            records.Add(record);
            row = end;
        }

        return new DecodedRowGroup([.. streamIds], [.. records]);
    }

    private static byte[] Join(ReadOnlyMemory<byte>[] payload, int from, int to)
    {
        if (to - from == 1)
        {
            return WholeArray(payload[from]);
        }

        var length = to - from - 1;
        for (var i = from; i < to; i++)
        {
            length += payload[i].Length;
        }

        var joined = GC.AllocateUninitializedArray<byte>(length);
        var at = 0;
        for (var i = from; i < to; i++)
        {
            if (i > from)
            {
                joined[at++] = (byte)',';
            }

            payload[i].Span.CopyTo(joined.AsSpan(at));
            at += payload[i].Length;
        }

        return joined;
    }

    /// <summary>The cell as an array: the one it wraps when it wraps a whole one (Parquet.Net decodes each cell into its own), else a copy.</summary>
    internal static byte[] WholeArray(ReadOnlyMemory<byte> cell) =>
        MemoryMarshal.TryGetArray(cell, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : cell.ToArray();
}
