namespace Ursula.Archive.Writing;

/// <summary>Page compression of data objects; every Parquet reader reads all of these.</summary>
public enum ArchiveCompression
{
    None,
    Snappy,
    Zstd,
    Gzip,
}
