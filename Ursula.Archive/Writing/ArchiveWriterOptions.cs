// Sizes are estimates of the bytes a row takes before compression (payload, text, offsets),
// the same measure for planning objects and cutting row groups.
namespace Ursula.Archive.Writing;

public sealed class ArchiveWriterOptions
{
    /// <summary>Objects are cut near this many bytes: big enough for object storage, small enough to rewrite.</summary>
    public long ObjectTargetBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Row groups are cut near this many bytes, at an append boundary: one range read fetches
    /// about this much, and column statistics are kept per row group.
    /// </summary>
    public long RowGroupTargetBytes { get; set; } = 1L << 20;

    public ArchiveCompression Compression { get; set; } = ArchiveCompression.Snappy;

    /// <summary>Where objects are assembled before upload; the system temp directory when null.</summary>
    public string? SpoolDirectory { get; set; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(RowGroupTargetBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ObjectTargetBytes, RowGroupTargetBytes);
    }
}
