// What the archiver last did, for health: whether it keeps up, and why not.
namespace Ursula.Server.Replication.Archiving;

public sealed class ArchiveStatus(TimeProvider time)
{
    private string? lastError;
    private long lastErrorMs;
    private long lastSuccessMs;
    private long objectsWritten;
    private long rangesArchived;
    private long objectsCompacted;

    public string? LastError => Volatile.Read(ref lastError);

    /// <summary>True while the last round failed (the store is down, PostgreSQL refused a read, leadership moved).</summary>
    public bool IsFailing => Interlocked.Read(ref lastErrorMs) > Interlocked.Read(ref lastSuccessMs);

    public long ObjectsWritten => Interlocked.Read(ref objectsWritten);

    public long RangesArchived => Interlocked.Read(ref rangesArchived);

    public long ObjectsCompacted => Interlocked.Read(ref objectsCompacted);

    public void Succeeded() => Interlocked.Exchange(ref lastSuccessMs, Math.Max(1, time.GetUtcNow().ToUnixTimeMilliseconds()));

    public void Failed(string reason)
    {
        Volatile.Write(ref lastError, reason);
        Diagnostics.UrsulaMetrics.ArchiveFailures.Add(1);
        Interlocked.Exchange(ref lastErrorMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    public void Archived(int ranges)
    {
        Interlocked.Increment(ref objectsWritten);
        Interlocked.Add(ref rangesArchived, ranges);
    }

    public void Compacted() => Interlocked.Increment(ref objectsCompacted);
}
