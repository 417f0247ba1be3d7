using Ursula.Archive.Storage;

namespace Ursula.Tests.Archive;

/// <summary>A filesystem archive in its own temporary directory, removed on dispose.</summary>
public sealed class TemporaryArchive : IDisposable
{
    public TemporaryArchive()
    {
        Root = Path.Combine(Path.GetTempPath(), $"ursula-archive-{Guid.NewGuid():N}");
        Store = new FileSystemObjectStore(Root);
    }

    public string Root { get; }

    public FileSystemObjectStore Store { get; }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
