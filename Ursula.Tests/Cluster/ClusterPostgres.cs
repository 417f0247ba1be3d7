// Three private PostgreSQL servers, one per cluster node, shared by every cluster test: each node of a
// cluster gets its own server (so a test can stop one node's PostgreSQL alone) and each cluster a fresh
// database on every server, so tests stay isolated while paying initdb only once per run.
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Ursula.Server.Hosting.Postgres;

namespace Ursula.Tests.Cluster;

public sealed class ClusterPostgres : IAsyncLifetime
{
    public const int Count = 3;

    private readonly ManagedPostgres?[] servers = new ManagedPostgres?[Count];
    private readonly SemaphoreSlim[] gates = Enumerable.Range(0, Count).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Everything this fixture writes: one PostgreSQL data directory per server.</summary>
    public string RootDirectory { get; } = Path.Combine(Path.GetTempPath(), $"ursula-cluster-pg-{Guid.NewGuid().ToString("N")[..8]}");

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            // initdb runs in parallel: the three servers are independent.
            await Task.WhenAll(Enumerable.Range(0, Count).Select(i => StartAsync(i, timeout.Token)));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether server <paramref name="index"/> runs right now.</summary>
    public bool IsRunning(int index) => servers[index] is { Exited.IsCompleted: false };

    /// <summary>Creates one fresh database on every server and returns a connection string per node.</summary>
    public async Task<string[]> CreateDatabasesAsync(string prefix, CancellationToken cancellationToken)
    {
        var name = $"{prefix.ToLowerInvariant()}_{Guid.NewGuid().ToString("N")[..10]}";
        var result = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            // A test that stopped a server and failed before starting it again must not break the next one.
            await EnsureRunningAsync(i, cancellationToken);
            var admin = new NpgsqlConnectionStringBuilder(servers[i]!.ConnectionString) { Pooling = false };
            await using (var connection = new NpgsqlConnection(admin.ConnectionString))
            {
                await connection.OpenAsync(cancellationToken);
                await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            result[i] = new NpgsqlConnectionStringBuilder(servers[i]!.ConnectionString) { Database = name, MaxPoolSize = 30 }.ConnectionString;
        }

        return result;
    }

    /// <summary>Fast shutdown of one server: its node loses its database until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync(int index, CancellationToken cancellationToken)
    {
        await gates[index].WaitAsync(cancellationToken);
        try
        {
            if (servers[index] is { } server)
            {
                servers[index] = null;
                await server.StopAsync(cancellationToken);
            }
        }
        finally
        {
            gates[index].Release();
        }
    }

    /// <summary>Starts one server again on its old data directory: same socket, same connection strings.</summary>
    public async Task StartAsync(int index, CancellationToken cancellationToken)
    {
        await gates[index].WaitAsync(cancellationToken);
        try
        {
            if (servers[index] is { Exited.IsCompleted: false })
            {
                return;
            }

            if (servers[index] is { } exited)
            {
                await exited.DisposeAsync();
            }

            var options = new ManagedPostgresOptions { DataDirectory = Path.Combine(RootDirectory, $"pg{index}") };
            // Three servers (plus the suite's shared one) run side by side on a small machine.
            options.Settings["shared_buffers"] = "32MB";
            options.Settings["max_connections"] = "200";
            servers[index] = await ManagedPostgres.StartAsync(options, NullLogger.Instance, cancellationToken);
        }
        finally
        {
            gates[index].Release();
        }
    }

    public Task EnsureRunningAsync(int index, CancellationToken cancellationToken) =>
        IsRunning(index) ? Task.CompletedTask : StartAsync(index, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Task.WhenAll(servers.Select(async (server, i) =>
        {
            if (server is not null)
            {
                servers[i] = null;
                await server.DisposeAsync();
            }
        }));

        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
