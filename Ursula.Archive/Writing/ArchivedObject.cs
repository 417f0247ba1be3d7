using Ursula.Archive.Manifest;

namespace Ursula.Archive.Writing;

/// <summary>An object written and verified in the store, and the manifest entries for what it holds.</summary>
public sealed record ArchivedObject(string Key, long Size, long WrittenAtMs, IReadOnlyList<ManifestEntry> Entries);
