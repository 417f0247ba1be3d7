// Objects as files under a root directory (the default archive, <data-dir>/archive). A put writes
// a hidden temporary file beside the target, fsyncs it, renames it over the target and fsyncs the
// directory, so a crash leaves either the old object or the new one, never a torn file.
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Ursula.Archive.Storage;

public sealed class FileSystemObjectStore : IObjectStore
{
    private const int CopyBufferSize = 1 << 20;

    public FileSystemObjectStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Description = $"file://{Root}";
    }

    public string Root { get; }

    public string Description { get; }

    public ObjectStoreStatistics Statistics { get; } = new();

    /// <summary>The file that holds a key (DuckDB reads these directly).</summary>
    public string PathOf(string key)
    {
        ObjectKeys.Validate(key);
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        var directory = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        Statistics.Request();
        try
        {
            Directory.CreateDirectory(directory);
            long written;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, CopyBufferSize, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
                written = file.Length;
            }

            File.Move(temporary, target, overwrite: true);
            DirectorySync.Flush(directory);
            Statistics.Wrote(written);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new ObjectStoreException(Description, key, "could not write", ex);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Statistics.Request();
        try
        {
            var info = new FileInfo(path);
            return Task.FromResult(info.Exists ? new ObjectInfo(key, info.Length, info.LastWriteTimeUtc) : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException(Description, key, "could not stat", ex);
        }
    }

    public async Task<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Statistics.Request();
        using var handle = Open(key);
        try
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = await RandomAccess.ReadAsync(handle, destination[total..], offset + total, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            Statistics.Read(total);
            return total;
        }
        catch (IOException ex)
        {
            throw new ObjectStoreException(Description, key, "could not read", ex);
        }
    }

    public async Task DownloadAsync(string key, Stream destination, CancellationToken cancellationToken)
    {
        Statistics.Request();
        using var handle = Open(key);
        try
        {
            await using var file = new FileStream(handle, FileAccess.Read, CopyBufferSize, isAsync: true);
            var before = destination.CanSeek ? destination.Position : 0;
            await file.CopyToAsync(destination, CopyBufferSize, cancellationToken);
            Statistics.Read(destination.CanSeek ? destination.Position - before : file.Length);
        }
        catch (IOException ex)
        {
            throw new ObjectStoreException(Description, key, "could not read", ex);
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKeys.ValidatePrefix(prefix);
        Statistics.Request();
        List<ObjectInfo> found;
        try
        {
            // Walk only the directory the prefix names (or its parent when it ends mid-name).
            var slash = prefix.LastIndexOf('/');
            var start = slash < 0 ? Root : Path.Combine(Root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
            found = [];
            if (Directory.Exists(start))
            {
                foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                {
                    var key = Path.GetRelativePath(Root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.Split('/').Any(s => s.StartsWith('.')))
                    {
                        found.Add(new ObjectInfo(key, file.Length, file.LastWriteTimeUtc));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException(Description, prefix, "could not list", ex);
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var info in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return info;
        }

        await Task.CompletedTask;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Statistics.Request();
        try
        {
            File.Delete(path);
            return Task.CompletedTask;
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException(Description, key, "could not delete", ex);
        }
    }

    private SafeFileHandle Open(string key)
    {
        try
        {
            return File.OpenHandle(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectStoreException(Description, key, "no such object", ex, notFound: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException(Description, key, "could not open", ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
