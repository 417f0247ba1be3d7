using Ursula.Archive.Manifest;
using Ursula.Archive.Writing;

namespace Ursula.Archive.Compaction;

/// <summary>
/// A rewritten object: Replacement holds the survivors (null when none survived). The caller
/// replicates the manifest change (ManifestIndex.ReplaceObject(OldKey, Replacement.Entries)) and
/// deletes OldKey only after that change has committed, so no committed entry points at nothing.
/// </summary>
public sealed record CompactionResult(string OldKey, ArchivedObject? Replacement, IReadOnlyList<long> RemovedStreams, long RemovedRecords);
