namespace Ursula.Server.State.Postgres;

/// <summary>Held while the flusher writes a batch and while a snapshot replaces the whole state.</summary>
public sealed class FlushGate
{
    public SemaphoreSlim Semaphore { get; } = new(1, 1);
}
