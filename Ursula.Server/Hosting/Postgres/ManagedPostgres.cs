// Runs a private PostgreSQL server for one Ursula node out of the node's data directory: it initializes the
// cluster on first use, starts the postmaster as a child process (as the `postgres` account when the node is
// root), reclaims the directory after a crash, and shuts the server down with the node.
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private const int MaxStartAttempts = 10;

    private readonly Child _postmaster;
    private readonly FileStream _nodeLock;
    private readonly TimeSpan _stopTimeout;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task? _stopTask;

    private ManagedPostgres(
        Child postmaster, int processId, FileStream nodeLock, ClusterLayout layout, string database,
        TimeSpan stopTimeout, ILogger logger)
    {
        _postmaster = postmaster;
        _nodeLock = nodeLock;
        _stopTimeout = stopTimeout;
        _logger = logger;
        ProcessId = processId;
        ClusterDirectory = layout.ClusterDirectory;
        SocketDirectory = layout.SocketDirectory;
        Port = layout.Port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = layout.SocketDirectory,
            Port = layout.Port,
            Username = Superuser,
            Database = database,
            Pooling = true,
            // Leaves headroom under max_connections (100) for other pools and for maintenance sessions.
            MaxPoolSize = 50,
            Timeout = 15,
            ApplicationName = "ursula",
        }.ConnectionString;
        _ = ReportUnexpectedExitAsync();
    }

    /// <summary>Npgsql connection string for the node database, over the private Unix socket.</summary>
    public string ConnectionString { get; }

    /// <summary>The PostgreSQL data directory (<c>&lt;DataDirectory&gt;/postgres</c>).</summary>
    public string ClusterDirectory { get; }

    public string SocketDirectory { get; }

    public int Port { get; }

    /// <summary>PID of the postmaster.</summary>
    public int ProcessId { get; }

    /// <summary>Completes when the postmaster exits, whether asked to or not.</summary>
    public Task Exited => _postmaster.Exited;

    /// <summary>Starts (initializing on first use) the node's PostgreSQL and returns once it accepts connections.</summary>
    public static async Task<ManagedPostgres> StartAsync(
        ManagedPostgresOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Database);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                "ManagedPostgres needs Linux (it relies on /proc and util-linux); configure an external PostgreSQL instead.");
        }

        return await StartCoreAsync(options, logger, cancellationToken);
    }

    /// <summary>Fast shutdown: rolls back open transactions, checkpoints and exits. Idempotent.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _stopTask ??= StopCoreAsync();
        }

        return _stopTask.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [SupportedOSPlatform("linux")]
    private static async Task<ManagedPostgres> StartCoreAsync(
        ManagedPostgresOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var layout = ClusterLayout.Resolve(options.DataDirectory, options.Port);
        if (layout.UsesFallbackSocketDirectory)
        {
            ManagedPostgresLog.SocketDirectoryFallback(logger, layout.SocketDirectory, layout.DataDirectory);
        }

        Directory.CreateDirectory(layout.DataDirectory);
        var nodeLock = AcquireNodeLock(layout);
        try
        {
            var account = IsRoot ? await LookupAccountAsync(options.OsUser, cancellationToken) : null;
            var launcher = Launcher.Create(account);
            if (account is not null)
            {
                await EnsureAccountCanReachAsync(launcher, layout.DataDirectory, cancellationToken);
            }

            var clusterVersion = ReadClusterVersion(layout);
            var binaries = await LocateBinariesAsync(options.BinDirectory, clusterVersion, layout, cancellationToken);
            ManagedPostgresLog.Starting(
                logger, binaries.Version, binaries.Directory, layout.ClusterDirectory, layout.SocketDirectory,
                layout.Port, launcher.UserName);

            await ReclaimAsync(layout, options.StopTimeout, logger, cancellationToken);
            if (clusterVersion is null)
            {
                await InitializeClusterAsync(launcher, binaries, layout, logger, cancellationToken);
            }

            await PrepareClusterAsync(launcher, layout, options.Settings, logger, cancellationToken);

            using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            startTimeout.CancelAfter(options.StartTimeout);
            var (postmaster, pid) = await LaunchAsync(
                launcher, binaries, layout, options, logger, cancellationToken, startTimeout.Token);
            try
            {
                await EnsureDatabaseAsync(layout, options.Database, logger, cancellationToken);
            }
            catch
            {
                await TerminateAsync(postmaster, pid, options.StopTimeout, logger);
                throw;
            }

            return new ManagedPostgres(
                postmaster, pid, nodeLock, layout, options.Database, options.StopTimeout, logger);
        }
        catch
        {
            await nodeLock.DisposeAsync();
            throw;
        }
    }

    private async Task StopCoreAsync()
    {
        try
        {
            if (!_postmaster.Exited.IsCompleted)
            {
                ManagedPostgresLog.Stopping(_logger, ProcessId);
                await TerminateAsync(_postmaster, ProcessId, _stopTimeout, _logger);
            }

            ManagedPostgresLog.Stopped(_logger, await _postmaster.Exited);
        }
        finally
        {
            await _nodeLock.DisposeAsync();
        }
    }

    private async Task ReportUnexpectedExitAsync()
    {
        var exitCode = await _postmaster.Exited;
        if (Volatile.Read(ref _stopTask) is null)
        {
            ManagedPostgresLog.UnexpectedExit(_logger, ProcessId, exitCode);
        }
    }
}
