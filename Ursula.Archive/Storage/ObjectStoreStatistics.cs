namespace Ursula.Archive.Storage;

/// <summary>Thread-safe counters of requests made and bytes moved by one store.</summary>
public sealed class ObjectStoreStatistics
{
    private long requests;
    private long bytesRead;
    private long bytesWritten;

    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Object bytes received from the store (range reads and downloads).</summary>
    public long BytesRead => Interlocked.Read(ref bytesRead);

    public long BytesWritten => Interlocked.Read(ref bytesWritten);

    internal void Request() => Interlocked.Increment(ref requests);

    internal void Read(long bytes) => Interlocked.Add(ref bytesRead, bytes);

    internal void Wrote(long bytes) => Interlocked.Add(ref bytesWritten, bytes);
}
