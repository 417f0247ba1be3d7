namespace Ursula.Server.State.Archive;

/// <summary>An archive object that still holds rows of streams no manifest entry points to (removed streams, duplicate archiving).</summary>
public sealed record ArchiveGarbage(string ObjectKey, long ObjectSize, IReadOnlySet<long> DeadStreams);
