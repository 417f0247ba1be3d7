// Options of the cold tier ("Archive"): where objects go (a directory, the default under the data
// directory, or an S3-compatible bucket), how much of each stream stays hot, how often the leader
// archives, and the node's hot ceiling past which writes wait for the archive.
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Replication.Archiving;

public sealed class ArchiveOptions : IValidatableObject
{
    public const string Section = "Archive";

    /// <summary>Archiving on (the default); off keeps every record in PostgreSQL.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The filesystem archive's directory; empty means DATA_DIR/archive. Ignored when S3Bucket is set.</summary>
    public string? Dir { get; set; }

    /// <summary>An S3 bucket for the archive instead of the filesystem.</summary>
    public string? S3Bucket { get; set; }

    /// <summary>An S3-compatible endpoint (MinIO, R2, ...); path-style addressing is used with one.</summary>
    public string? S3Endpoint { get; set; }

    public string S3Region { get; set; } = "us-east-1";

    /// <summary>A key prefix inside the bucket.</summary>
    public string? S3Prefix { get; set; }

    /// <summary>Per stream, the newest payload bytes that stay in PostgreSQL and memory; older records are archived.</summary>
    [Range(0, 1L << 40)]
    public long HotWindowBytes { get; set; } = 4L << 20;

    /// <summary>How often the leader looks for ranges to archive and objects to compact.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Payload bytes not yet archived, over all streams of the node, past which writes are refused
    /// with 503 until the archive catches up (archiving past half of it ignores the hot window).
    /// </summary>
    [Range(1L << 20, 1L << 50)]
    public long HotCeilingBytes { get; set; } = 8L << 30;

    /// <summary>
    /// The longest archivable data waits to be packed with more: a round writes an object when a
    /// quarter of the target size is waiting, or when this long has passed since the last object.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Objects are cut near this size; many small streams share one object.</summary>
    [Range(1L << 16, 1L << 34)]
    public long ObjectTargetBytes { get; set; } = 64L << 20;

    /// <summary>Row groups are cut near this size (at most the object size): the most one small range read fetches.</summary>
    [Range(1L << 10, 1L << 30)]
    public long RowGroupTargetBytes { get; set; } = 1L << 20;

    /// <summary>
    /// Memory for recently read archive blocks (a quarter) and decoded row groups (three quarters);
    /// object footers take at most 8 MiB more.
    /// </summary>
    [Range(1L << 20, 1L << 40)]
    public long CacheBytes { get; set; } = 96L << 20;

    /// <summary>
    /// Row groups a read decodes ahead, in the background, after the first one it needs (0: none);
    /// at most this many at once for the node, into the decoded part of the cache.
    /// </summary>
    [Range(0, Ursula.Archive.Reading.ArchiveCacheOptions.MaxReadAheadRowGroups)]
    public int ReadAheadRowGroups { get; set; } = 2;

    /// <summary>How long an object replaced by compaction stays, for reads that started before.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DeleteGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>An object nothing in the manifest names (its command never committed) is deleted after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan OrphanAge { get; set; } = TimeSpan.FromMinutes(15);

    public bool UsesS3 => !string.IsNullOrWhiteSpace(S3Bucket);

    public string Directory(string dataDir) => Path.GetFullPath(string.IsNullOrWhiteSpace(Dir) ? Path.Combine(dataDir, "archive") : Dir);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (S3Endpoint is { Length: > 0 } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"--s3-endpoint must be an absolute URL, got '{endpoint}'", [nameof(S3Endpoint)]);
        }
    }
}
