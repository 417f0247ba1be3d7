// Where archived objects live. Keys are '/'-separated relative names (the layout is in
// Layout/ArchiveKeys.cs); a store maps them onto a directory tree or a bucket and key prefix.
// Every failure of the store itself surfaces as ObjectStoreException, which the server maps to 503.
namespace Ursula.Archive.Storage;

public interface IObjectStore
{
    /// <summary>A short human description for logs and errors, e.g. "s3://bucket/prefix/".</summary>
    string Description { get; }

    /// <summary>Counters of what this store did, for metrics and for tests that count bytes.</summary>
    ObjectStoreStatistics Statistics { get; }

    /// <summary>
    /// Stores the whole content under the key, atomically: afterwards readers see either the
    /// complete object or (on failure) whatever was there before, never a part. Overwrites.
    /// </summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>The object's size and time, or null when there is no such object.</summary>
    Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Reads bytes [offset, offset + destination.Length) of the object (one range GET on S3);
    /// returns how many were read, fewer only at the end of the object.
    /// </summary>
    Task<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Copies the whole object into destination (used to fill a local cache).</summary>
    Task DownloadAsync(string key, Stream destination, CancellationToken cancellationToken);

    /// <summary>Every object whose key starts with prefix, in key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
