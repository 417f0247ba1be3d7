// A row group decoded into appends (JSON messages already joined), kept in the read cache: a
// catch-up reads a stream in chunks smaller than a row group, and readers of one stream share
// the same recent row groups, so each row group is decoded once while it stays hot. Appends are
// shared between readers and must not be modified.
using Ursula.Archive.Format;

namespace Ursula.Archive.Reading;

internal sealed class DecodedRowGroup(long[] streamIds, ArchiveRecord[] records)
{
    private const int RecordOverhead = 96;

    public long Bytes { get; } = records.Sum(r => (long)r.Payload.Length + RecordOverhead);

    /// <summary>Appends of the stream overlapping [from, to), in order, until maxBytes of payload; returns the payload taken.</summary>
    public long Take(long streamId, long from, long to, long maxBytes, List<ArchiveRecord> into)
    {
        long used = 0;
        for (var i = 0; i < records.Length && used < maxBytes; i++)
        {
            var record = records[i];
            if (streamIds[i] == streamId && record.End > from && record.Start < to)
            {
                into.Add(record);
                used += record.Payload.Length;
            }
        }

        return used;
    }
}
