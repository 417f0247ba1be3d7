using Ursula.Archive.Manifest;

namespace Ursula.Archive.Restore;

/// <summary>
/// One stream incarnation as the archive alone knows it: its identity and content type, and
/// manifest entries that cover [Start, End) without overlapping, in order. Gaps are position
/// ranges the archive does not hold (never archived, e.g. still hot when PostgreSQL was lost).
/// </summary>
public sealed record RestoredStream(long StreamId, string Path, string ContentType, IReadOnlyList<ManifestEntry> Entries, IReadOnlyList<(long Start, long End)> Gaps)
{
    public long Start => Entries.Count == 0 ? 0 : Entries[0].Start;

    public long End => Entries.Count == 0 ? 0 : Entries[^1].End;
}
