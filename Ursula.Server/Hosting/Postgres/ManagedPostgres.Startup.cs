// Launching the postmaster and waiting until it serves the node database.
using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres
{
    [SupportedOSPlatform("linux")]
    private static async Task<(Child Postmaster, int ProcessId)> LaunchAsync(
        Launcher launcher, PostgresBinaries binaries, ClusterLayout layout, ManagedPostgresOptions options,
        ILogger logger, CancellationToken cancellationToken, CancellationToken startTimeout)
    {
        var started = Stopwatch.StartNew();
        // Connection-defining settings go on the command line so that nothing in the config files can move
        // the server away from the socket the connection string points at, or open a TCP port.
        string[] arguments =
            ["-D", layout.ClusterDirectory, "-k", layout.SocketDirectory, "-p", $"{layout.Port}", "-c", "listen_addresses="];
        for (var attempt = 1; ; attempt++)
        {
            var forwarder = new ServerLogForwarder(logger);
            // SIGINT on parent death = fast shutdown when the node dies without stopping us (e.g. kill -9).
            var postmaster = await Child.StartAsync(
                launcher.AsServiceUser(binaries.Postgres, arguments, parentDeathSignal: "INT"), forwarder.Forward);
            try
            {
                if (await WaitUntilReadyAsync(postmaster, layout, startTimeout) is int pid)
                {
                    ManagedPostgresLog.Ready(logger, pid, started.ElapsedMilliseconds);
                    return (postmaster, pid);
                }
            }
            catch (OperationCanceledException)
            {
                // Under runuser/su the child is not the postmaster; the pid file names the real one.
                var pid = ReadPidFile(layout, requireReady: false) ?? postmaster.Pid;
                await TerminateAsync(postmaster, pid, options.StopTimeout, logger);
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException(
                    $"PostgreSQL did not become ready within {options.StartTimeout}. Last output:\n{postmaster.Output}");
            }

            var exitCode = await postmaster.Exited;
            var output = postmaster.Output;
            // Backends orphaned by a killed postmaster keep the old shared memory attached for a moment.
            var transient = output.Contains("shared memory block", StringComparison.Ordinal)
                || output.Contains("lock file", StringComparison.Ordinal);
            if (!transient || attempt == MaxStartAttempts)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL exited during startup with code {exitCode}. Last output:\n{output}");
            }

            ManagedPostgresLog.StartRetry(logger, exitCode, attempt, MaxStartAttempts);
            await Task.Delay(TimeSpan.FromSeconds(1), startTimeout);
            await ReclaimAsync(layout, options.StopTimeout, logger, startTimeout);
        }
    }

    private static async Task<int?> WaitUntilReadyAsync(Child postmaster, ClusterLayout layout, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (postmaster.Exited.IsCompleted)
            {
                return null;
            }

            // The same readiness signal pg_ctl -w uses; polling with connections would spam the server log
            // with "the database system is starting up" during crash recovery.
            if (ReadPidFile(layout, requireReady: true) is int pid)
            {
                return pid;
            }

            await Task.WhenAny(postmaster.Exited, Task.Delay(50, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static async Task EnsureDatabaseAsync(
        ClusterLayout layout, string database, ILogger logger, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder
        {
            Host = layout.SocketDirectory,
            Port = layout.Port,
            Username = Superuser,
            Database = "postgres",
            Pooling = false,
        };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = database });
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        ManagedPostgresLog.DatabaseCreated(logger, database);
    }
}
