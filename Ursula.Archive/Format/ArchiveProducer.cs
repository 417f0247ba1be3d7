namespace Ursula.Archive.Format;

/// <summary>The producer of an append, when it had one. Epoch and sequence are kept when known.</summary>
public sealed record ArchiveProducer(string Id, long? Epoch = null, long? Seq = null);
