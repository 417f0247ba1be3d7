// Integration tests for the test PostgreSQL fixture and for ManagedPostgres, including restarts after crashes.
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Ursula.Server.Hosting.Postgres;
using Xunit;

namespace Ursula.Tests.Infrastructure;

[Trait("Category", "Integration")]
public sealed class PostgresFixtureTests(PostgresFixture fixture)
{
    private static readonly bool IsRoot = Environment.UserName == "root";

    [Fact]
    public async Task Databases_created_by_the_fixture_are_isolated_from_each_other()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        TestContext.Current.TestOutputHelper?.WriteLine($"Shared PostgreSQL: {fixture.Source}");
        var first = await fixture.CreateDatabaseAsync("Isolation Test", cancellationToken);
        var second = await fixture.CreateDatabaseAsync("Isolation Test", cancellationToken);

        await ExecuteAsync(first, "CREATE TABLE marker (id int); INSERT INTO marker VALUES (1)", cancellationToken);

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);
        Assert.StartsWith("isolation_test_", new NpgsqlConnectionStringBuilder(first).Database, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync<long>(first, "SELECT count(*) FROM marker", cancellationToken));
        Assert.False(await ScalarAsync<bool>(second, "SELECT to_regclass('marker') IS NOT NULL", cancellationToken));
    }

    [Fact]
    public async Task Managed_postgres_starts_and_answers_queries_as_an_unprivileged_account()
    {
        SkipUnlessPostgresIsInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();

        await using var postgres = await StartAsync(directory.Path, cancellationToken);

        Assert.Equal("ursula", await ScalarAsync<string>(postgres.ConnectionString, "SELECT current_database()", cancellationToken));
        Assert.Equal("", await ScalarAsync<string>(postgres.ConnectionString, "SHOW listen_addresses", cancellationToken));
        Assert.Equal("on", await ScalarAsync<string>(postgres.ConnectionString, "SHOW fsync", cancellationToken));
        Assert.Equal("UTF8", await ScalarAsync<string>(postgres.ConnectionString, "SHOW server_encoding", cancellationToken));
        Assert.StartsWith(directory.Path, postgres.SocketDirectory, StringComparison.Ordinal);
        var expectedOwner = IsRoot ? AccountUid("postgres") : ProcessUid(Environment.ProcessId);
        Assert.Equal(expectedOwner, ProcessUid(postgres.ProcessId));
    }

    [Fact]
    public async Task Managed_postgres_restarts_with_its_data_after_the_postmaster_was_killed_with_sigkill()
    {
        SkipUnlessPostgresIsInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        var first = await StartAsync(directory.Path, cancellationToken);
        await ExecuteAsync(first.ConnectionString, "CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (42)", cancellationToken);

        Process.GetProcessById(first.ProcessId).Kill();
        await first.Exited.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.True(File.Exists(Path.Combine(first.ClusterDirectory, "postmaster.pid")));
        // Releases the node lock, as the kernel does when a node is killed.
        await first.DisposeAsync();
        NpgsqlConnection.ClearAllPools();

        await using var second = await StartAsync(directory.Path, cancellationToken);

        Assert.Equal(42, await ScalarAsync<int>(second.ConnectionString, "SELECT id FROM survivor", cancellationToken));
    }

    [Fact]
    public async Task Managed_postgres_stops_a_postmaster_left_running_on_its_cluster_before_starting()
    {
        SkipUnlessPostgresIsInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        string cluster, socket;
        await using (var first = await StartAsync(directory.Path, cancellationToken))
        {
            (cluster, socket) = (first.ClusterDirectory, first.SocketDirectory);
        }

        using var stray = StartAsPostgresAccount(FindPostgresBinary()!, "-D", cluster, "-k", socket, "-c", "listen_addresses=");
        var strayPid = await WaitForReadyPostmasterAsync(cluster, cancellationToken);

        await using var second = await StartAsync(directory.Path, cancellationToken);

        Assert.NotEqual(strayPid, second.ProcessId);
        await stray.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.Equal(1, await ScalarAsync<int>(second.ConnectionString, "SELECT 1", cancellationToken));
    }

    [Fact]
    public async Task Managed_postgres_starts_over_a_stale_pid_file_naming_an_unrelated_live_process()
    {
        SkipUnlessPostgresIsInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        string cluster;
        await using (var first = await StartAsync(directory.Path, cancellationToken))
        {
            cluster = first.ClusterDirectory;
        }

        // A reused PID owned by the server's account: PostgreSQL alone would refuse to start over it.
        using var squatter = StartAsPostgresAccount("/bin/sleep", "300");
        try
        {
            await File.WriteAllTextAsync(
                Path.Combine(cluster, "postmaster.pid"), $"{squatter.Id}\n{cluster}\n0\n5432\n\n\n  5432001 0\nready   \n",
                cancellationToken);

            await using var second = await StartAsync(directory.Path, cancellationToken);

            Assert.Equal(1, await ScalarAsync<int>(second.ConnectionString, "SELECT 1", cancellationToken));
            Assert.False(squatter.HasExited);
        }
        finally
        {
            squatter.Kill();
        }
    }

    [Fact]
    public async Task Managed_postgres_reports_the_server_output_when_the_server_cannot_start()
    {
        SkipUnlessPostgresIsInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        var options = new ManagedPostgresOptions { DataDirectory = directory.Path };
        options.Settings["shared_buffers"] = "plenty";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ManagedPostgres.StartAsync(options, new TestOutputLogger(TestContext.Current.TestOutputHelper), cancellationToken));

        Assert.Contains("shared_buffers", error.Message, StringComparison.Ordinal);
        // The failed start released the data directory.
        await using var postgres = await StartAsync(directory.Path, cancellationToken);
        Assert.Equal(1, await ScalarAsync<int>(postgres.ConnectionString, "SELECT 1", cancellationToken));
    }

    [Fact]
    public async Task A_second_node_cannot_start_postgres_on_a_data_directory_in_use()
    {
        SkipUnlessPostgresIsInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        await using var first = await StartAsync(directory.Path, cancellationToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(directory.Path, cancellationToken));

        Assert.Contains("in use by another running Ursula node", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync<int>(first.ConnectionString, "SELECT 1", cancellationToken));
    }

    [Fact]
    public async Task Managed_postgres_moves_its_socket_under_tmp_when_the_data_directory_path_is_too_long()
    {
        SkipUnlessPostgresIsInstalled();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        var deep = Path.Combine(directory.Path, new string('d', 50), new string('e', 50));
        string socket;

        await using (var postgres = await StartAsync(deep, cancellationToken))
        {
            socket = postgres.SocketDirectory;
            Assert.StartsWith("/tmp/ursula-pg-", socket, StringComparison.Ordinal);
            Assert.Equal(1, await ScalarAsync<int>(postgres.ConnectionString, "SELECT 1", cancellationToken));
        }

        Directory.Delete(socket, recursive: true);
    }

    private static Task<ManagedPostgres> StartAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var options = new ManagedPostgresOptions { DataDirectory = dataDirectory };
        // Several servers may run side by side during a test run.
        options.Settings["shared_buffers"] = "16MB";
        return ManagedPostgres.StartAsync(options, new TestOutputLogger(TestContext.Current.TestOutputHelper), cancellationToken);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void SkipUnlessPostgresIsInstalled() =>
        Assert.SkipWhen(FindPostgresBinary() is null, "PostgreSQL server binaries are not installed.");

    private static string? FindPostgresBinary()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => new FileInfo(Path.Combine(directory, "postgres")))
            .FirstOrDefault(file => file.Exists);
        if (onPath is not null)
        {
            return onPath.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath.FullName;
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateFiles("/usr/lib/postgresql", "postgres", SearchOption.AllDirectories)
                .OrderByDescending(path => path, StringComparer.Ordinal).FirstOrDefault()
            : null;
    }

    private static Process StartAsPostgresAccount(string executable, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(IsRoot ? "setpriv" : executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (IsRoot)
        {
            // setpriv execs in place, so the PID is the program's own.
            foreach (var argument in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task<int> WaitForReadyPostmasterAsync(string cluster, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(cluster, "postmaster.pid");
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (File.Exists(pidFile) && await File.ReadAllLinesAsync(pidFile, cancellationToken) is { Length: >= 8 } lines
                && lines[7].Trim() == "ready")
            {
                return int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("The stray postmaster did not become ready.");
    }

    private static int ProcessUid(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(line => line.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    private static int AccountUid(string name) =>
        int.Parse(File.ReadLines("/etc/passwd").First(line => line.StartsWith(name + ":", StringComparison.Ordinal))
            .Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory($"/tmp/ursula-pg-test-{Guid.NewGuid().ToString("N")[..8]}").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>Shows ManagedPostgres and server log lines in the test output.</summary>
    private sealed class TestOutputLogger(ITestOutputHelper? output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => output is not null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output?.WriteLine($"[{logLevel}] {formatter(state, exception)}");
            }
            catch (InvalidOperationException)
            {
                // Server log lines can arrive after the test has finished.
            }
        }
    }
}
