// One PostgreSQL server shared by every integration test in the assembly: an external server named by
// URSULA_TEST_POSTGRES, else a Testcontainers container when a Docker engine answers, else a ManagedPostgres.
// Each test class asks for its own database, so classes stay isolated while sharing the server.
using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;
using Ursula.Server.Hosting.Postgres;
using Xunit;
using Ursula.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace Ursula.Tests.Infrastructure;

public sealed class PostgresFixture : IAsyncLifetime
{
    public const string ConnectionStringVariable = "URSULA_TEST_POSTGRES";
    private const string ContainerImage = "postgres:15-alpine";
    private static readonly TimeSpan DockerPingTimeout = TimeSpan.FromMilliseconds(1500);

    private readonly ConcurrentBag<string> _createdDatabases = [];
    private PostgreSqlContainer? _container;
    private ManagedPostgres? _managed;
    private string? _managedDirectory;

    /// <summary>Connection string to a maintenance database of the shared server.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Where the server came from: "environment", "testcontainers" or "managed".</summary>
    public string Source { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        var cancellationToken = timeout.Token;

        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } external)
        {
            ConnectionString = external;
            Source = "environment";
            await using var connection = new NpgsqlConnection(external);
            await connection.OpenAsync(cancellationToken);
            return;
        }

        if (await DockerAnswersAsync(cancellationToken))
        {
            try
            {
                _container = new PostgreSqlBuilder(ContainerImage).Build();
                await _container.StartAsync(cancellationToken);
                ConnectionString = _container.GetConnectionString();
                Source = "testcontainers";
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // An engine that answers a ping may still fail to run containers (no image, no network):
                // the managed server below does not need either.
                TestContext.Current.SendDiagnosticMessage($"Testcontainers failed, using ManagedPostgres: {ex.Message}");
                await DisposeContainerAsync();
            }
        }

        _managedDirectory = Path.Combine(Path.GetTempPath(), $"ursula-tests-pg-{Environment.ProcessId}");
        if (Directory.Exists(_managedDirectory))
        {
            // Left by an earlier run that happened to have the same PID.
            Directory.Delete(_managedDirectory, recursive: true);
        }

        var options = new ManagedPostgresOptions { DataDirectory = _managedDirectory, Database = "postgres" };
        // Every test class keeps its own connection pool open, so allow more sessions than a node needs.
        options.Settings["max_connections"] = "300";
        _managed = await ManagedPostgres.StartAsync(options, NullLogger.Instance, cancellationToken);
        ConnectionString = _managed.ConnectionString;
        Source = "managed";
    }

    /// <summary>Creates an empty database with a unique name and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string namePrefix, CancellationToken cancellationToken)
    {
        var name = UniqueDatabaseName(namePrefix);
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        _createdDatabases.Add(name);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_managed is not null)
        {
            await _managed.DisposeAsync();
            Directory.Delete(_managedDirectory!, recursive: true);
        }
        else if (_container is not null)
        {
            await DisposeContainerAsync();
        }
        else if (Source == "environment")
        {
            await DropCreatedDatabasesAsync();
        }
    }

    private static string UniqueDatabaseName(string namePrefix)
    {
        // Unquoted-identifier style keeps names readable in psql; 63 bytes is PostgreSQL's identifier limit.
        var prefix = new string(namePrefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (prefix.Length == 0 || !char.IsAsciiLetter(prefix[0]))
        {
            prefix = "t_" + prefix;
        }

        return $"{prefix[..Math.Min(prefix.Length, 40)]}_{Guid.NewGuid().ToString("N")[..12]}";
    }

    private async Task DropCreatedDatabasesAsync()
    {
        // A shared external server outlives the run, so clean up after ourselves (best effort).
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var name in _createdDatabases)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
            catch (PostgresException)
            {
            }
        }
    }

    private async Task DisposeContainerAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
            _container = null;
        }
    }

    /// <summary>Answers within a couple of seconds, and at once when no Docker socket exists at all.</summary>
    private static async Task<bool> DockerAnswersAsync(CancellationToken cancellationToken)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        string? socketPath = null;
        Uri? tcpEndpoint = null;
        if (dockerHost is { Length: > 0 })
        {
            if (dockerHost.StartsWith("unix://", StringComparison.Ordinal))
            {
                socketPath = dockerHost["unix://".Length..];
            }
            else if (dockerHost.StartsWith("tcp://", StringComparison.Ordinal)
                && Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") is not { Length: > 0 })
            {
                tcpEndpoint = new Uri("http://" + dockerHost["tcp://".Length..]);
            }
            else
            {
                // TLS or named pipes: too involved to ping here; let Testcontainers try.
                return true;
            }
        }
        else
        {
            string?[] candidates =
            [
                "/var/run/docker.sock",
                Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? Path.Combine(runtime, "docker.sock") : null,
                Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "run", "docker.sock"),
            ];
            socketPath = candidates.FirstOrDefault(File.Exists);
            if (socketPath is null)
            {
                return false;
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DockerPingTimeout);
        using var handler = new SocketsHttpHandler();
        if (socketPath is not null)
        {
            handler.ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        using var client = new HttpClient(handler) { BaseAddress = tcpEndpoint ?? new Uri("http://docker/") };
        try
        {
            using var response = await client.GetAsync(new Uri("_ping", UriKind.Relative), timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }
}
