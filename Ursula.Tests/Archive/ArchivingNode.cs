// A real node process that archives quickly: a small hot window, a short archive interval, small
// objects and row groups, so that a test's few hundred kilobytes span several objects and row
// groups. The test reads the node's PostgreSQL directly to see what moved to the archive.
using System.Net;
using System.Text.Json;
using Npgsql;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Archive;

public sealed class ArchivingNode : IAsyncDisposable
{
    private readonly HttpClient health = new() { Timeout = TimeSpan.FromSeconds(5) };

    private ArchivingNode(NodeProcess node, string database, string dataDir)
    {
        Node = node;
        Database = database;
        DataDir = dataDir;
        Client = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public NodeProcess Node { get; }

    public HttpClient Client { get; }

    public string Database { get; }

    public string DataDir { get; }

    /// <summary>The flags that make a node archive within a second of data passing the window.</summary>
    public static string[] FastArchiving(long hotWindowBytes, long objectBytes = 64 * 1024) =>
    [
        "--hot-window-bytes", hotWindowBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--archive-interval", "0.2",
        "--archive-max-delay", "0.2",
        "--archive-object-bytes", objectBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];

    /// <summary>Small row groups, so that one object holds several.</summary>
    public static Dictionary<string, string> SmallRowGroups(long bytes = 8 * 1024) => new()
    {
        ["URSULA_Archive__RowGroupTargetBytes"] = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static async Task<ArchivingNode> StartAsync(string database, string dataDir, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken, int? port = null)
    {
        var node = NodeProcess.Start(port ?? FreePort.Next(), dataDir, database, arguments, environment ?? SmallRowGroups());
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return new ArchivingNode(node, database, dataDir);
    }

    /// <summary>SIGKILL and start again on the same data: afterwards nothing is served from memory.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        Node.Kill();
        Node.Restart();
        await Node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    /// <summary>Where the stream's archived prefix ends, and how many of its records PostgreSQL still holds.</summary>
    public async Task<(long ArchivedTo, long Tail, long RecordsInPostgres)> StoredAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "select s.archived_to, s.tail, (select count(*) from stream_records r where r.stream_id = s.stream_id) from streams s where s.path = @path order by s.stream_id desc limit 1",
            connection);
        command.Parameters.AddWithValue("path", path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)) : (-1, -1, -1);
    }

    /// <summary>Waits until the stream's archive frontier reaches <paramref name="position"/> in PostgreSQL.</summary>
    public async Task<TimeSpan> WaitUntilArchivedAsync(string path, long position, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var (archivedTo, _, _) = await StoredAsync(path, cancellationToken);
            if (archivedTo >= position)
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                var (_, health) = await HealthAsync(cancellationToken);
                throw new TimeoutException($"{path} was archived only to {archivedTo} of {position} within {clock.Elapsed}; health {health}:\n{string.Join('\n', Node.Output.Split('\n').TakeLast(40))}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The node's /_ursula/health: status code and the parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(CancellationToken cancellationToken)
    {
        using var response = await health.GetAsync(new Uri(Node.BaseUrl, "/_ursula/health"), cancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return (response.StatusCode, document.RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        health.Dispose();
        await Node.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
