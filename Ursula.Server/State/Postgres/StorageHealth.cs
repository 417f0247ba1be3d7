// Whether this node's PostgreSQL is taking writes, as seen by the flusher and readers.
namespace Ursula.Server.State.Postgres;

public sealed class StorageHealth(TimeProvider time)
{
    private long lastFailureMs;
    private long lastSuccessMs;
    private string? lastError;

    public bool IsHealthy => Interlocked.Read(ref lastFailureMs) <= Interlocked.Read(ref lastSuccessMs);

    public string? LastError => Volatile.Read(ref lastError);

    public void ReportWriteSucceeded() => Interlocked.Exchange(ref lastSuccessMs, Math.Max(1, time.GetUtcNow().ToUnixTimeMilliseconds()));

    public void ReportWriteFailed(Exception error)
    {
        Volatile.Write(ref lastError, error.Message);
        Interlocked.Exchange(ref lastFailureMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
