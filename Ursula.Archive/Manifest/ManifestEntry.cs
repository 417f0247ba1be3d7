// One archived range of one stream incarnation: positions [Start, End) live in the object at
// ObjectKey, in the listed row groups. This is what the server replicates (in the "archived
// range" command and in snapshots) and what a read looks up.
namespace Ursula.Archive.Manifest;

public sealed record ManifestEntry(
    long StreamId,
    string Path,
    long Start,
    long End,
    string ObjectKey,
    long ObjectSize,
    long WrittenAtMs,
    IReadOnlyList<RowGroupLocator> RowGroups)
{
    public bool Overlaps(long from, long to) => Start < to && End > from;

    /// <summary>The row groups holding any of [from, to), in order.</summary>
    public IEnumerable<RowGroupLocator> RowGroupsFor(long from, long to) => RowGroups.Where(g => g.Start < to && g.End > from);

    public bool Equals(ManifestEntry? other) =>
        other is not null
        && StreamId == other.StreamId && Path == other.Path && Start == other.Start && End == other.End
        && ObjectKey == other.ObjectKey && ObjectSize == other.ObjectSize && WrittenAtMs == other.WrittenAtMs
        && RowGroups.SequenceEqual(other.RowGroups);

    public override int GetHashCode() => HashCode.Combine(StreamId, Start, End, ObjectKey);
}
