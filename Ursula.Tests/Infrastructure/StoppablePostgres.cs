// One private PostgreSQL server that a test may stop and start again (same data directory, same
// socket, same connection strings), for the faults a node meets when its database goes away.
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Ursula.Server.Hosting.Postgres;

namespace Ursula.Tests.Infrastructure;

public sealed class StoppablePostgres(string dataDirectory) : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ManagedPostgres? server;

    public string DataDirectory { get; } = dataDirectory;

    public bool IsRunning => server is { Exited.IsCompleted: false };

    /// <summary>Starts the server (initialising it the first time); a no-op while it runs.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (IsRunning)
            {
                return;
            }

            if (server is { } exited)
            {
                await exited.DisposeAsync();
            }

            var options = new ManagedPostgresOptions { DataDirectory = DataDirectory };
            // Several servers (and the suite's shared one) run side by side on a small machine.
            options.Settings["shared_buffers"] = "32MB";
            options.Settings["max_connections"] = "200";
            server = await ManagedPostgres.StartAsync(options, NullLogger.Instance, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Fast shutdown: every client loses its database until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (server is { } running)
            {
                server = null;
                await running.StopAsync(cancellationToken);
                await running.DisposeAsync();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// SIGSTOP (true) or SIGCONT (false) to the postmaster and every backend: the server keeps its
    /// sockets but answers nothing, as a stalled disk or a paused VM would have it.
    /// </summary>
    public int Freeze(bool freeze) =>
        server is { } running ? Signals.SendToTree(running.ProcessId, freeze ? Signals.Stop : Signals.Continue) : 0;

    /// <summary>Creates a fresh database and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        var admin = new NpgsqlConnectionStringBuilder(server!.ConnectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, MaxPoolSize = 30 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (server is { } running)
        {
            server = null;
            await running.DisposeAsync();
        }

        gate.Dispose();
    }
}
