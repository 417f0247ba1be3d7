// Where the cluster lives on disk and how it is created and configured: initdb, managed settings, ownership.
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres
{
    private const UnixFileMode PrivateDirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const string ManagedConfigFile = "ursula.conf";
    private const string IncludeDirective = "include_if_exists = '" + ManagedConfigFile + "'";

    // Defaults for a write-heavy server with a small footprint. wal_level=minimal (hence no WAL senders) because
    // the node's PostgreSQL is private storage: replication happens at the Ursula level, not through PostgreSQL.
    // Durability settings stay at their safe values on purpose.
    private static readonly KeyValuePair<string, string>[] DefaultSettings =
    [
        new("max_connections", "100"),
        new("shared_buffers", "128MB"),
        new("wal_level", "minimal"),
        new("max_wal_senders", "0"),
        new("fsync", "on"),
        new("synchronous_commit", "on"),
        new("full_page_writes", "on"),
        new("wal_compression", "on"),
        new("wal_buffers", "16MB"),
        new("checkpoint_timeout", "15min"),
        new("max_wal_size", "1GB"),
        new("min_wal_size", "80MB"),
        new("effective_cache_size", "512MB"),
        new("random_page_cost", "1.1"),
        new("jit", "off"),
        new("timezone", "UTC"),
        new("log_timezone", "UTC"),
        new("log_destination", "stderr"),
        new("logging_collector", "off"),
        new("log_line_prefix", "[%p] "),
    ];

    private sealed record ClusterLayout(
        string DataDirectory, string ClusterDirectory, string SocketDirectory, int Port, bool UsesFallbackSocketDirectory)
    {
        // sizeof(sockaddr_un.sun_path) is 108 including the terminating NUL.
        private const int MaxSocketPathBytes = 107;

        public string PidFile => Path.Combine(ClusterDirectory, "postmaster.pid");

        public string SocketFile => Path.Combine(SocketDirectory, $".s.PGSQL.{Port}");

        public static ClusterLayout Resolve(string dataDirectory, int port)
        {
            var data = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
            var socketDirectory = Path.Combine(data, "postgres-run");
            var fallback = Encoding.UTF8.GetByteCount(Path.Combine(socketDirectory, $".s.PGSQL.{port}")) > MaxSocketPathBytes;
            if (fallback)
            {
                // Deep data directories overflow the Unix socket path limit, so the socket moves to a short
                // directory under /tmp named after a hash of the data directory: stable across restarts, distinct
                // per node. The postmaster touches its socket lock file hourly, which keeps tmp cleaners away.
                var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data)))[..16];
                socketDirectory = $"/tmp/ursula-pg-{hash}";
            }

            return new ClusterLayout(data, Path.Combine(data, "postgres"), socketDirectory, port, fallback);
        }
    }

    private static FileStream AcquireNodeLock(ClusterLayout layout)
    {
        // An flock the kernel drops when the node dies, however it dies. Holding it proves that any PostgreSQL
        // still running on the cluster is a leftover of ours and may be stopped. The handle is close-on-exec,
        // so the postmaster does not inherit it.
        var path = Path.Combine(layout.DataDirectory, "postgres.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The data directory {layout.DataDirectory} is in use by another running Ursula node ({path} is locked); "
                + "two nodes cannot share a data directory.", ex);
        }
    }

    private static string? ReadClusterVersion(ClusterLayout layout)
    {
        var versionFile = Path.Combine(layout.ClusterDirectory, "PG_VERSION");
        if (File.Exists(versionFile))
        {
            return File.ReadAllText(versionFile).Trim();
        }

        if (Directory.Exists(layout.ClusterDirectory) && Directory.EnumerateFileSystemEntries(layout.ClusterDirectory).Any())
        {
            throw new InvalidOperationException(
                $"{layout.ClusterDirectory} is not empty but is not a PostgreSQL data directory (no PG_VERSION); "
                + "move it away so that a new cluster can be initialized.");
        }

        return null;
    }

    [SupportedOSPlatform("linux")]
    private static async Task InitializeClusterAsync(
        Launcher launcher, PostgresBinaries binaries, ClusterLayout layout, ILogger logger, CancellationToken cancellationToken)
    {
        ManagedPostgresLog.Initializing(logger, layout.ClusterDirectory, binaries.Version);
        // initdb works in a staging directory that is renamed into place once complete, so a node killed
        // mid-initdb leaves nothing that looks like a cluster.
        var staging = layout.ClusterDirectory + ".initdb";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging, PrivateDirectoryMode);
        await TakeOwnershipAsync(launcher, staging, logger, cancellationToken);
        string[] arguments =
        [
            "-D", staging, "-U", Superuser, "--encoding=UTF8",
            // C collation: fast, and immune to index corruption when a glibc upgrade changes collation rules.
            "--locale=C",
            "--auth-local=trust", "--auth-host=reject",
            // Detects torn or corrupted pages instead of silently serving them.
            "--data-checksums",
        ];
        var (exitCode, output) = await RunToCompletionAsync(
            launcher.AsServiceUser(binaries.InitDb, arguments, parentDeathSignal: "TERM"), cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed with exit code {exitCode}:\n{output}");
        }

        if (Directory.Exists(layout.ClusterDirectory))
        {
            Directory.Delete(layout.ClusterDirectory);
        }

        Directory.Move(staging, layout.ClusterDirectory);
    }

    [SupportedOSPlatform("linux")]
    private static async Task PrepareClusterAsync(
        Launcher launcher, ClusterLayout layout, IDictionary<string, string> overrides, ILogger logger,
        CancellationToken cancellationToken)
    {
        // Checked on every start rather than once after initdb: cheap, and repairs a config that a crash
        // right after initialization may have lost.
        var mainConfig = Path.Combine(layout.ClusterDirectory, "postgresql.conf");
        var lines = await File.ReadAllLinesAsync(mainConfig, cancellationToken);
        if (!lines.Any(line => line.Trim() == IncludeDirective))
        {
            await File.AppendAllTextAsync(
                mainConfig, $"\n# Settings managed by Ursula; override them with ALTER SYSTEM.\n{IncludeDirective}\n",
                cancellationToken);
        }

        // Rewritten on every start so that new defaults reach existing clusters; postgresql.auto.conf
        // (ALTER SYSTEM) is read after it and still wins.
        var settings = new StringBuilder("# Generated by Ursula at every start; edits are lost. Use ALTER SYSTEM instead.\n");
        foreach (var (name, value) in DefaultSettings.Where(s => !overrides.ContainsKey(s.Key)).Concat(overrides))
        {
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            {
                throw new ArgumentException($"Invalid PostgreSQL setting name '{name}'.", nameof(overrides));
            }

            var quoted = value.Replace("'", "''", StringComparison.Ordinal).ReplaceLineEndings(" ");
            settings.Append(name).Append(" = '").Append(quoted).Append("'\n");
        }

        // Overwritten in place, which keeps the file's owner: a torn write is harmless as nothing reads it
        // before the server starts, and the next start rewrites it anyway.
        await File.WriteAllTextAsync(Path.Combine(layout.ClusterDirectory, ManagedConfigFile), settings.ToString(), cancellationToken);

        if (!Directory.Exists(layout.SocketDirectory))
        {
            Directory.CreateDirectory(layout.SocketDirectory, PrivateDirectoryMode);
        }

        if (new DirectoryInfo(layout.SocketDirectory).LinkTarget is not null)
        {
            throw new InvalidOperationException($"Refusing to use {layout.SocketDirectory}: it is a symbolic link.");
        }

        // PostgreSQL refuses data directories readable by others; the socket directory is private so that only
        // this node (and root) can connect with trust authentication.
        File.SetUnixFileMode(layout.ClusterDirectory, PrivateDirectoryMode);
        File.SetUnixFileMode(layout.SocketDirectory, PrivateDirectoryMode);
        await TakeOwnershipAsync(launcher, layout.ClusterDirectory, logger, cancellationToken);
        await TakeOwnershipAsync(launcher, layout.SocketDirectory, logger, cancellationToken);
    }

    /// <summary>When root, hands a tree to the service account; a no-op for trees it already owns entirely.</summary>
    private static async Task TakeOwnershipAsync(
        Launcher launcher, string path, ILogger logger, CancellationToken cancellationToken)
    {
        if (launcher.Account is not { } account)
        {
            return;
        }

        // find stops at the first foreign file, so the common case costs one quick walk and no chown.
        var find = RequireExecutable("find");
        var (_, foreign) = await RunToCompletionAsync(
            Launcher.AsSelf(find, [path, "(", "!", "-user", $"{account.Uid}", "-o", "!", "-group", $"{account.Gid}", ")", "-print", "-quit"]),
            cancellationToken);
        if (foreign.Length == 0)
        {
            return;
        }

        ManagedPostgresLog.TakingOwnership(logger, path, account.Name);
        var (exitCode, output) = await RunToCompletionAsync(
            Launcher.AsSelf(RequireExecutable("chown"), ["-R", $"{account.Uid}:{account.Gid}", "--", path]), cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"chown -R {account.Name} {path} failed with exit code {exitCode}:\n{output}");
        }
    }
}
