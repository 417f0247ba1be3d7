// A contiguous range of one stream incarnation to archive: its records in position order, each
// starting where the previous one ended.
namespace Ursula.Archive.Format;

public sealed record ArchiveSegment(long StreamId, string Path, string ContentType, IReadOnlyList<ArchiveRecord> Records)
{
    public long Start => Records.Count == 0 ? 0 : Records[0].Start;

    public long End => Records.Count == 0 ? 0 : Records[^1].End;

    public bool IsJson => MediaTypes.IsJson(ContentType);

    /// <summary>Payload bytes, the measure object and row-group targets are expressed in.</summary>
    public long PayloadBytes => Records.Sum(r => (long)r.Payload.Length);

    /// <summary>Throws when the records are not contiguous or not in order.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(StreamId);
        ArgumentException.ThrowIfNullOrEmpty(Path);
        for (var i = 0; i < Records.Count; i++)
        {
            var record = Records[i];
            if (record.End < record.Start || record.Start < 0)
            {
                throw new ArgumentException($"Record [{record.Start}, {record.End}) of stream {StreamId} is not a range.", nameof(Records));
            }

            if (i > 0 && record.Start != Records[i - 1].End)
            {
                throw new ArgumentException($"Records of stream {StreamId} are not contiguous at {record.Start}.", nameof(Records));
            }

            if (!IsJson && record.Payload.Length != record.Length)
            {
                throw new ArgumentException($"Record [{record.Start}, {record.End}) of byte stream {StreamId} has {record.Payload.Length} bytes.", nameof(Records));
            }
        }
    }
}
