// The keys of Auth:KeysFile in memory, looked up by the SHA-256 of the presented key (so the
// comparison never runs over the secret itself). The file's modification time is checked at most
// every two seconds; a changed file is read again, and a broken one leaves the old keys in force.
using Microsoft.Extensions.Options;

namespace Ursula.Server.Access;

public sealed class ApiKeyStore
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly string? path;
    private readonly TimeProvider time;
    private readonly ILogger<ApiKeyStore> logger;
    private readonly Lock reloading = new();
    private Dictionary<string, ApiKey> keys = [];
    private DateTime loadedWrite;
    private long nextCheck;

    public ApiKeyStore(IOptions<AccessOptions> options, TimeProvider time, ILogger<ApiKeyStore> logger)
    {
        this.time = time;
        this.logger = logger;
        if (options.Value.KeysEnabled)
        {
            path = Path.GetFullPath(options.Value.KeysFile!);
            if (!File.Exists(path))
            {
                throw new Hosting.OptionsValidationException($"Auth:KeysFile (--keys-file) {path} does not exist");
            }

            Load();
            AccessLog.KeysLoaded(logger, keys.Count, path);
        }
    }

    public int Count => keys.Count;

    /// <summary>The key the token is, or null.</summary>
    public ApiKey? Find(string token)
    {
        if (path is null)
        {
            return null;
        }

        ReloadIfChanged();
        return keys.GetValueOrDefault(ApiKeyFile.Hash(token));
    }

    private void ReloadIfChanged()
    {
        var now = time.GetTimestamp();
        if (now < Volatile.Read(ref nextCheck))
        {
            return;
        }

        lock (reloading)
        {
            if (now < nextCheck)
            {
                return;
            }

            nextCheck = now + (long)(CheckInterval.TotalSeconds * time.TimestampFrequency);
            try
            {
                if (File.GetLastWriteTimeUtc(path!) != loadedWrite)
                {
                    Load();
                    AccessLog.KeysLoaded(logger, keys.Count, path!);
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                AccessLog.KeysReloadFailed(logger, path!, e.Message);
            }
        }
    }

    private void Load()
    {
        // Set first: a broken file is reported once, not on every check until it changes again.
        loadedWrite = File.GetLastWriteTimeUtc(path!);
        var parsed = ApiKeyFile.Parse(File.ReadAllText(path!), path!);
        Volatile.Write(ref keys, parsed);
    }
}
