// The Parquet schema of every data object, format version 1. Columns are written in this order.
// The columns (stream, start_offset, end_offset, appended_at, producer_*, payload, text)
// are what analysts query; stream_id, content_type, the int64 positions, the record bounds and
// log_index are what the server's reader and a restore need. docs/archive.md documents each one.
using Parquet.Schema;

namespace Ursula.Archive.Format;

public static class ArchiveSchema
{
    public const int FormatVersion = 1;

    /// <summary>The footer key-value entry that describes an object (see ObjectDescription).</summary>
    public const string MetadataKey = "ursula.archive";

    public static readonly DataField<string> Stream = new("stream", nullable: false);
    public static readonly DataField<long> StreamId = new("stream_id");
    public static readonly DataField<string> ContentType = new("content_type", nullable: false);
    public static readonly DataField<string> StartOffset = new("start_offset", nullable: false);
    public static readonly DataField<string> EndOffset = new("end_offset", nullable: false);
    public static readonly DataField<long> StartPos = new("start_pos");
    public static readonly DataField<long> EndPos = new("end_pos");
    public static readonly DataField<long> RecordStart = new("record_start");
    public static readonly DataField<long> RecordEnd = new("record_end");
    public static readonly DateTimeDataField AppendedAt = new("appended_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false);
    public static readonly DataField<long> LogIndex = new("log_index");
    public static readonly DataField<string> ProducerId = new("producer_id", nullable: true);
    public static readonly DataField<long?> ProducerEpoch = new("producer_epoch");
    public static readonly DataField<long?> ProducerSeq = new("producer_seq");
    public static readonly DataField<byte[]> Payload = new("payload", nullable: false);
    public static readonly DataField<string> Text = new("text", nullable: true);

    public static readonly ParquetSchema Schema = new(
        Stream, StreamId, ContentType, StartOffset, EndOffset, StartPos, EndPos, RecordStart, RecordEnd,
        AppendedAt, LogIndex, ProducerId, ProducerEpoch, ProducerSeq, Payload, Text);

    /// <summary>The columns the record reader decodes; the analyst-facing ones it can rebuild are skipped.</summary>
    public static readonly IReadOnlyList<DataField> ReaderColumns =
        [StreamId, StartPos, EndPos, RecordStart, RecordEnd, AppendedAt, LogIndex, ProducerId, ProducerEpoch, ProducerSeq, Payload];
}
