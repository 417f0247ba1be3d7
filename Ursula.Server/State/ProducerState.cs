namespace Ursula.Server.State;

/// <summary>Idempotent producer state for one (stream, producer id).</summary>
public readonly record struct ProducerState(long Epoch, long LastSeq, long UpdatedAtMs);
