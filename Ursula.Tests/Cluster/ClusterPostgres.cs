// Three private PostgreSQL servers, one per cluster node, shared by every cluster test: each node of a
// cluster gets its own server (so a test can stop one node's PostgreSQL alone) and each cluster a fresh
// database on every server, so tests stay isolated while paying initdb only once per run.
using Npgsql;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class ClusterPostgres : IAsyncLifetime
{
    public const int Count = 3;

    private readonly StoppablePostgres[] servers;

    public ClusterPostgres()
    {
        servers = Enumerable.Range(0, Count).Select(i => new StoppablePostgres(Path.Combine(RootDirectory, $"pg{i}"))).ToArray();
    }

    /// <summary>Everything this fixture writes: one PostgreSQL data directory per server.</summary>
    public string RootDirectory { get; } = Path.Combine(Path.GetTempPath(), $"ursula-cluster-pg-{Guid.NewGuid().ToString("N")[..8]}");

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            // initdb runs in parallel: the three servers are independent.
            await Task.WhenAll(servers.Select(s => s.StartAsync(timeout.Token)));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether server <paramref name="index"/> runs right now.</summary>
    public bool IsRunning(int index) => servers[index].IsRunning;

    /// <summary>Creates one fresh database on every server (starting any a failed test left stopped) and returns a connection string per node.</summary>
    public async Task<string[]> CreateDatabasesAsync(string prefix, CancellationToken cancellationToken)
    {
        var name = $"{prefix.ToLowerInvariant()}_{Guid.NewGuid().ToString("N")[..10]}";
        var result = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            result[i] = await servers[i].CreateDatabaseAsync(name, cancellationToken);
        }

        return result;
    }

    /// <summary>Fast shutdown of one server: its node loses its database until <see cref="StartAsync"/>.</summary>
    public Task StopAsync(int index, CancellationToken cancellationToken) => servers[index].StopAsync(cancellationToken);

    /// <summary>Starts one server again on its old data directory: same socket, same connection strings.</summary>
    public Task StartAsync(int index, CancellationToken cancellationToken) => servers[index].StartAsync(cancellationToken);

    public Task EnsureRunningAsync(int index, CancellationToken cancellationToken) => servers[index].StartAsync(cancellationToken);

    /// <summary>Freezes (SIGSTOP) or thaws (SIGCONT) every process of one server; returns how many were signalled.</summary>
    public int Freeze(int index, bool freeze) => servers[index].Freeze(freeze);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Task.WhenAll(servers.Select(s => s.DisposeAsync().AsTask()));
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
