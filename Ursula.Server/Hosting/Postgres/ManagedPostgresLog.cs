// Log messages of the managed PostgreSQL server (event ids 1100-1199).
using Microsoft.Extensions.Logging;

namespace Ursula.Server.Hosting.Postgres;

internal static partial class ManagedPostgresLog
{
    [LoggerMessage(1100, LogLevel.Information,
        "Starting PostgreSQL {Version} from {BinDirectory} on {ClusterDirectory} (socket {SocketDirectory}, port {Port}, OS user {OsUser})")]
    public static partial void Starting(
        ILogger logger, string version, string binDirectory, string clusterDirectory, string socketDirectory, int port, string osUser);

    [LoggerMessage(1101, LogLevel.Information, "Initializing a new PostgreSQL {Version} cluster in {ClusterDirectory}")]
    public static partial void Initializing(ILogger logger, string clusterDirectory, string version);

    [LoggerMessage(1102, LogLevel.Information, "PostgreSQL is ready (postmaster pid {ProcessId}) after {ElapsedMilliseconds} ms")]
    public static partial void Ready(ILogger logger, int processId, long elapsedMilliseconds);

    [LoggerMessage(1103, LogLevel.Information, "Created database {Database}")]
    public static partial void DatabaseCreated(ILogger logger, string database);

    [LoggerMessage(1104, LogLevel.Warning,
        "The socket path under {DataDirectory} would exceed the 107-byte Unix socket limit; using {SocketDirectory} instead")]
    public static partial void SocketDirectoryFallback(ILogger logger, string socketDirectory, string dataDirectory);

    [LoggerMessage(1105, LogLevel.Information, "Giving {Path} to OS user {OsUser}")]
    public static partial void TakingOwnership(ILogger logger, string path, string osUser);

    [LoggerMessage(1110, LogLevel.Warning,
        "PostgreSQL processes {ProcessIds} left over from a previous run are still working in {ClusterDirectory}; stopping them")]
    public static partial void LeftoverProcesses(ILogger logger, string processIds, string clusterDirectory);

    [LoggerMessage(1111, LogLevel.Warning, "Killing leftover PostgreSQL processes {ProcessIds}")]
    public static partial void KillingLeftovers(ILogger logger, string processIds);

    [LoggerMessage(1112, LogLevel.Warning, "Removing stale {Path}")]
    public static partial void RemovingStaleFile(ILogger logger, string path);

    [LoggerMessage(1113, LogLevel.Warning,
        "PostgreSQL exited during startup with code {ExitCode}, probably still blocked by its previous run; retrying ({Attempt}/{MaxAttempts})")]
    public static partial void StartRetry(ILogger logger, int exitCode, int attempt, int maxAttempts);

    [LoggerMessage(1120, LogLevel.Information, "Stopping PostgreSQL (postmaster pid {ProcessId})")]
    public static partial void Stopping(ILogger logger, int processId);

    [LoggerMessage(1121, LogLevel.Information, "PostgreSQL stopped with exit code {ExitCode}")]
    public static partial void Stopped(ILogger logger, int exitCode);

    [LoggerMessage(1122, LogLevel.Warning, "PostgreSQL (pid {ProcessId}) did not stop within {Timeout}; sending {Signal}")]
    public static partial void Escalating(ILogger logger, int processId, TimeSpan timeout, string signal);

    [LoggerMessage(1123, LogLevel.Error, "PostgreSQL (postmaster pid {ProcessId}) exited unexpectedly with code {ExitCode}")]
    public static partial void UnexpectedExit(ILogger logger, int processId, int exitCode);

    [LoggerMessage(EventId = 1130, Message = "postgres: {Line}")]
    public static partial void ServerOutput(ILogger logger, LogLevel level, string line);
}
