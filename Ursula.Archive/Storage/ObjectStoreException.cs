// The one exception type a store throws for its own failures (unreachable, refused, timed out,
// missing object, disk error). Arguments the caller got wrong stay ArgumentExceptions.
namespace Ursula.Archive.Storage;

public sealed class ObjectStoreException : Exception
{
    public ObjectStoreException(string message)
        : base(message)
    {
    }

    public ObjectStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreException(string store, string? key, string what, Exception? innerException, bool notFound = false)
        : base(key is null ? $"{store}: {what}" : $"{store}: {what} '{key}'", innerException)
    {
        Store = store;
        Key = key;
        NotFound = notFound;
    }

    public ObjectStoreException()
    {
    }

    /// <summary>The store's description.</summary>
    public string? Store { get; }

    public string? Key { get; }

    /// <summary>True when the object did not exist (for a read, data the manifest promised is missing).</summary>
    public bool NotFound { get; }
}
