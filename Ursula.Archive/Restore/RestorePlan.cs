using Ursula.Archive.Storage;

namespace Ursula.Archive.Restore;

/// <summary>
/// What a scan of the archive found: the streams to rebuild (by path, then stream id), the data
/// objects they come from, objects left out because a compacted object supersedes them, streams
/// left out because they have a tombstone, and objects that could not be read as archive objects.
/// </summary>
public sealed record RestorePlan(
    IReadOnlyList<RestoredStream> Streams,
    IReadOnlyList<ObjectInfo> Objects,
    IReadOnlyList<string> Superseded,
    IReadOnlyList<long> Tombstoned,
    IReadOnlyList<(string Key, string Error)> Unreadable);
