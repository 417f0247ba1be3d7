// What an operator relies on around the archive a node writes: a deleted stream's bytes leave
// object storage through compaction; many small streams become few objects; PostgreSQL gives up
// what was archived; DuckDB over the objects sees what the HTTP API serves, and the sql verb's
// example queries answer; and a node rebuilt from the archive alone serves every archived message.
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Npgsql;
using Ursula.Archive.Layout;
using Ursula.Archive.Reading;
using Ursula.Archive.Storage;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ArchiveOperationsTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly List<ArchivingNode> nodes = [];
    private readonly string root = Path.Combine(Path.GetTempPath(), $"ursula-archive-ops-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_deleted_streams_archived_bytes_leave_object_storage_and_its_neighbours_stay_readable()
    {
        var archive = Path.Combine(root, "archive-delete");
        var node = await StartAsync("delete", [.. ArchivingNode.FastArchiving(hotWindowBytes: 0), "--archive-dir", archive], new() { ["URSULA_Archive__DeleteGrace"] = "00:00:01" });
        var kept = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"kept {i};")));
        await node.Client.CreateAsync("/del/gone", body: "gone gone gone", cancellationToken: Ct);
        await node.Client.CreateAsync("/del/kept", body: Encoding.UTF8.GetString(kept), cancellationToken: Ct);
        await node.WaitUntilArchivedAsync("/del/gone", 14, Ct);
        await node.WaitUntilArchivedAsync("/del/kept", kept.Length, Ct);
        var goneId = await StreamIdAsync(node, "/del/gone");
        Assert.Contains(goneId, await ArchivedStreamIdsAsync(archive));

        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await node.Client.DeleteAsync("/del/gone", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Client.GetAsync("/del/gone?offset=-1", Ct)).StatusCode);
        while ((await ArchivedStreamIdsAsync(archive)).Contains(goneId))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "The deleted stream's rows are still in the archive after 30 s.");
            await Task.Delay(100, Ct);
        }

        Log($"the deleted stream's rows left object storage {clock.ElapsedMilliseconds} ms after the delete");
        Assert.Equal(kept, await StreamReads.CatchUpAsync(node.Client, "/del/kept", "-1", Ct));
        await node.RestartAsync(Ct);
        Assert.Equal(kept, await StreamReads.CatchUpAsync(node.Client, "/del/kept", "-1", Ct));
    }

    [Fact]
    public async Task Ten_thousand_small_streams_are_packed_into_few_objects()
    {
        const int Streams = 10_000;
        var archive = Path.Combine(root, "archive-small");
        var node = await StartAsync("small", [.. ArchivingNode.FastArchiving(hotWindowBytes: 0, objectBytes: 64L << 20), "--archive-dir", archive], []);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Streams), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
        {
            using var response = await node.Client.CreateAsync($"/small/s{i}", "application/json", body: $"[{{\"n\":{i}}},{{\"m\":\"x\"}}]", cancellationToken: ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        });
        var created = clock.Elapsed;
        await WaitUntilAsync(async () => await CountAsync(node, "select count(*) from streams where archived_to < tail") == 0, TimeSpan.FromSeconds(120), "every stream is archived");
        var objects = Directory.EnumerateFiles(archive, "*.parquet", SearchOption.AllDirectories).ToList();
        Log($"{Streams} streams created in {created.TotalSeconds:F1} s, archived within {clock.Elapsed.TotalSeconds:F1} s into {objects.Count} objects ({objects.Sum(f => new FileInfo(f).Length)} bytes); PostgreSQL keeps {await CountAsync(node, "select count(*) from stream_records")} records");
        Assert.True(objects.Count <= 10, $"{Streams} small streams became {objects.Count} objects");
        Assert.Equal("[{\"n\":4242},{\"m\":\"x\"}]", Encoding.UTF8.GetString(await StreamReads.CatchUpAsync(node.Client, "/small/s4242", "-1", Ct)));
    }

    [Fact]
    public async Task PostgreSQL_gives_up_a_100_MB_stream_once_it_is_archived_and_cold_reads_return_it_all()
    {
        var archive = Path.Combine(root, "archive-large");
        var node = await StartAsync("large", [.. ArchivingNode.FastArchiving(hotWindowBytes: 4 << 20, objectBytes: 16L << 20), "--archive-dir", archive, "--no-archive"], []);
        const string path = "/large/s";
        await node.Client.CreateAsync(path, "application/octet-stream", cancellationToken: Ct);
        var chunk = new byte[1 << 20];
        for (var i = 0; i < 100; i++)
        {
            Random.Shared.NextBytes(chunk);
            chunk[0] = (byte)i;
            using var content = new ByteArrayContent(chunk);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            Assert.Equal(HttpStatusCode.NoContent, (await node.Client.PostAsync(path, content, Ct)).StatusCode);
        }

        await WaitUntilAsync(async () => await CountAsync(node, "select count(*) from stream_records") == 100, TimeSpan.FromSeconds(60), "PostgreSQL holds the 100 appends");
        var before = await RecordsSizeAsync(node);

        node.Node.Kill();
        await node.Node.DisposeAsync();
        node.Client.Dispose();
        nodes.Remove(node);
        // The same node (its URL is its identity in the membership it persisted) with archiving on.
        var archiving = await ArchivingNode.StartAsync(node.Database, node.DataDir, [.. ArchivingNode.FastArchiving(hotWindowBytes: 4 << 20, objectBytes: 16L << 20), "--archive-dir", archive], new Dictionary<string, string>(), Ct, node.Node.BaseUrl.Port);
        nodes.Add(archiving);
        var clock = Stopwatch.StartNew();
        await archiving.WaitUntilArchivedAsync(path, 95L << 20, Ct, TimeSpan.FromSeconds(120));
        var archivedIn = clock.Elapsed;
        await WaitUntilAsync(async () => await CountAsync(archiving, "select count(*) from stream_records") <= 5, TimeSpan.FromSeconds(30), "PostgreSQL dropped the archived records");
        var after = await VacuumedRecordsSizeAsync(archiving, before / 10);
        var objects = Directory.EnumerateFiles(archive, "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        await archiving.RestartAsync(Ct);
        clock.Restart();
        var read = await StreamReads.CatchUpAsync(archiving.Client, path, "-1", Ct);
        Log($"100 MB stream: stream_records {before / 1048576.0:F1} MiB before archiving, {after / 1048576.0:F1} MiB after (vacuum full); archived within {archivedIn.TotalSeconds:F1} s into {objects / 1048576.0:F1} MiB of objects; read back after a restart in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(100L << 20, read.Length);
        Assert.True(after < before / 10, $"stream_records is {after} bytes after archiving, {before} before");
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal((byte)i, read[i << 20]);
        }
    }

    [Fact]
    public async Task DuckDB_over_the_objects_reads_what_the_HTTP_API_serves_and_the_sql_verb_answers_the_example_queries()
    {
        var archive = Path.Combine(root, "archive-sql");
        var node = await StartAsync("sql", [.. ArchivingNode.FastArchiving(hotWindowBytes: 0), "--archive-dir", archive], []);
        await node.Client.CreateAsync("/chat/room-1", "application/json", cancellationToken: Ct);
        await node.Client.CreateAsync("/chat/room-2", "application/json", cancellationToken: Ct);
        string[] room1 =
        [
            """{"type":"message","user":"ada","body":"the invoice is attached"}""",
            """{"type":"join","user":"bob"}""",
            """{"type":"message","user":"bob","body":"thanks, paying the INVOICE today"}""",
        ];
        string[] room2 = ["""{"type":"message","user":"cy","body":"lunch?"}"""];
        await AppendJsonAsync(node, "/chat/room-1", room1[..2], ("Producer-Id", "ada-phone"), ("Producer-Epoch", "2"), ("Producer-Seq", "0"));
        await AppendJsonAsync(node, "/chat/room-1", room1[2..], ("Producer-Id", "bob-laptop"), ("Producer-Epoch", "0"), ("Producer-Seq", "0"));
        await AppendJsonAsync(node, "/chat/room-2", room2, ("Producer-Id", "ada-phone"), ("Producer-Epoch", "2"), ("Producer-Seq", "0"));
        await node.WaitUntilArchivedAsync("/chat/room-1", 3, Ct);
        await node.WaitUntilArchivedAsync("/chat/room-2", 1, Ct);

        // Plain read_parquet over the glob, no Ursula code in between.
        using (var duck = new DuckDBConnection("Data Source=:memory:"))
        {
            await duck.OpenAsync(Ct);
            await using var query = duck.CreateCommand();
            query.CommandText = $"select text from read_parquet('{Path.Combine(archive, ArchiveKeys.DataGlob)}') where stream = '/chat/room-1' order by start_pos";
            var texts = new List<string>();
            await using var reader = await query.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                texts.Add(reader.GetString(0));
            }

            Assert.Equal(room1, texts);
            var http = JsonDocument.Parse(await StreamReads.CatchUpAsync(node.Client, "/chat/room-1", "-1", Ct)).RootElement.EnumerateArray().Select(e => e.GetRawText());
            Assert.Equal(room1, http);
        }

        var search = await SqlAsync(archive, File.ReadAllText(Path.Combine(Repository.Root, "sql", "analytics", "search_json.sql")));
        Assert.Equal(["ada|the invoice is attached", "bob|thanks, paying the INVOICE today"], search.Select(r => $"{r["user"]}|{r["body"]}"));
        var producers = await SqlAsync(archive, File.ReadAllText(Path.Combine(Repository.Root, "sql", "analytics", "top_producers.sql")));
        Assert.Equal(["ada-phone:3:2:2", "bob-laptop:1:1:0"], producers.Select(r => $"{r["producer_id"]}:{r["messages"]}:{r["streams"]}:{r["last_epoch"]}"));
        var hourly = await SqlAsync(archive, File.ReadAllText(Path.Combine(Repository.Root, "sql", "analytics", "messages_per_hour.sql")));
        Assert.Equal(["/chat/room-1:3", "/chat/room-2:1"], hourly.Select(r => $"{r["stream"]}:{r["messages"]}"));
    }

    [Fact]
    public async Task A_node_rebuilt_from_the_archive_alone_serves_every_archived_message()
    {
        var archive = Path.Combine(root, "archive-restore");
        var node = await StartAsync("restore-source", [.. ArchivingNode.FastArchiving(hotWindowBytes: 0), "--archive-dir", archive], []);
        var expected = new Dictionary<string, byte[]>();
        for (var s = 0; s < 5; s++)
        {
            var path = $"/restore/s{s}";
            await node.Client.CreateAsync(path, s % 2 == 0 ? "text/plain" : "application/json", cancellationToken: Ct);
            var body = new StringBuilder();
            for (var i = 0; i < 20; i++)
            {
                var part = s % 2 == 0 ? $"{s}:{i};" : $"{{\"s\":{s},\"i\":{i}}}";
                await node.Client.AppendAsync(path, part, s % 2 == 0 ? "text/plain" : "application/json", Ct);
                body.Append(s % 2 == 0 || i == 0 ? part : "," + part);
            }

            expected[path] = Encoding.UTF8.GetBytes(s % 2 == 0 ? body.ToString() : $"[{body}]");
            // A text stream's positions are bytes, a JSON stream's are messages: wait for all of it.
            await node.WaitUntilArchivedAsync(path, s % 2 == 0 ? Encoding.UTF8.GetByteCount(body.ToString()) : 20, Ct);
        }

        // All PostgreSQL data and the node's data directory are lost; the archive is what is left.
        await node.DisposeAsync();
        nodes.Remove(node);
        var database = await postgres.CreateDatabaseAsync("restored", Ct);
        var dataDir = Path.Combine(root, "restored-node");
        var (code, output) = await NodeProcess.RunToExitAsync(["restore", "--data-dir", dataDir, "--postgres", database, "--archive-dir", archive], TimeSpan.FromSeconds(60), Ct);
        Log(output.Trim());
        Assert.True(code == 0, output);
        Assert.Contains("restored 5 streams", output, StringComparison.Ordinal);

        var restored = await ArchivingNode.StartAsync(database, dataDir, ["--archive-dir", archive], new Dictionary<string, string>(), Ct);
        nodes.Add(restored);
        foreach (var (path, body) in expected)
        {
            Assert.Equal(body, await StreamReads.CatchUpAsync(restored.Client, path, "-1", Ct));
        }

        // The rebuilt streams take new appends after what the archive held.
        await restored.Client.AppendAsync("/restore/s0", "after", cancellationToken: Ct);
        var afterRestore = await StreamReads.CatchUpAsync(restored.Client, "/restore/s0", "-1", Ct);
        Assert.Equal(Encoding.UTF8.GetString(expected["/restore/s0"]) + "after", Encoding.UTF8.GetString(afterRestore));
    }

    [Fact]
    public async Task A_node_started_with_an_empty_database_against_an_existing_archive_keeps_it_and_sweeps_only_its_own_orphans()
    {
        var archive = Path.Combine(root, "archive-foreign");
        var orphanAge = new Dictionary<string, string> { ["URSULA_Archive__OrphanAge"] = "00:00:01" };
        var first = await StartAsync("foreign-first", [.. ArchivingNode.FastArchiving(hotWindowBytes: 0), "--archive-dir", archive], new(orphanAge));
        await first.Client.CreateAsync("/foreign/old", "text/plain", cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            await first.Client.AppendAsync("/foreign/old", $"old-{i};", cancellationToken: Ct);
        }

        await first.WaitUntilArchivedAsync("/foreign/old", 20, Ct);
        await first.DisposeAsync();
        nodes.Remove(first);
        var before = await DataKeysAsync(archive);
        Assert.NotEmpty(before);

        // Its PostgreSQL is lost and a node starts on an empty one without a restore: it names none
        // of the objects, yet they are the only copy of /foreign/old.
        await Task.Delay(1500, Ct);
        var second = await StartAsync("foreign-second", [.. ArchivingNode.FastArchiving(hotWindowBytes: 0), "--archive-dir", archive], new(orphanAge));
        await second.Client.CreateAsync("/foreign/new", "text/plain", cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            await second.Client.AppendAsync("/foreign/new", $"new-{i};", cancellationToken: Ct);
        }

        await second.WaitUntilArchivedAsync("/foreign/new", 20, Ct);

        // An upload of its own whose command never committed: a copy of one of its objects under a new key.
        var own = (await DataKeysAsync(archive)).Except(before).First();
        var orphan = ArchiveKeys.DataKey(DateTimeOffset.UtcNow, ArchiveKeys.NewObjectId(DateTimeOffset.UtcNow));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(archive, orphan))!);
        File.Copy(Path.Combine(archive, own), Path.Combine(archive, orphan));
        File.SetLastWriteTimeUtc(Path.Combine(archive, orphan), DateTime.UtcNow);

        // Sweeps run every quarter of the orphan age: a few seconds see several.
        await WaitUntilAsync(async () => !(await DataKeysAsync(archive)).Contains(orphan), TimeSpan.FromSeconds(30), "the node's own orphan was swept");
        var after = await DataKeysAsync(archive);
        Assert.Superset(before.ToHashSet(), after.ToHashSet());
        Assert.Contains("1605", second.Node.Output, StringComparison.Ordinal);
    }

    private static async Task<List<string>> DataKeysAsync(string archive)
    {
        var keys = new List<string>();
        await foreach (var item in new FileSystemObjectStore(archive).ListAsync(ArchiveKeys.DataPrefix, Ct))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    private async Task<ArchivingNode> StartAsync(string name, string[] arguments, Dictionary<string, string> environment)
    {
        var database = await postgres.CreateDatabaseAsync($"archive_ops_{name.Replace('-', '_')}", Ct);
        foreach (var (key, value) in ArchivingNode.SmallRowGroups())
        {
            environment.TryAdd(key, value);
        }

        var node = await ArchivingNode.StartAsync(database, Path.Combine(root, name), arguments, environment, Ct);
        nodes.Add(node);
        return node;
    }

    private static async Task AppendJsonAsync(ArchivingNode node, string path, string[] messages, params (string Name, string Value)[] headers)
    {
        using var response = await node.Client.AppendAsync(path, $"[{string.Join(',', messages)}]", "application/json", Ct, headers);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
    }

    /// <summary>Runs the sql verb in CSV and returns the rows by column name.</summary>
    private static async Task<List<Dictionary<string, string>>> SqlAsync(string archive, string query)
    {
        var (code, output) = await NodeProcess.RunToExitAsync(["sql", query, "--archive-dir", archive, "--format", "json"], TimeSpan.FromSeconds(60), Ct);
        Assert.True(code == 0, output);
        var json = output[output.IndexOf('[', StringComparison.Ordinal)..];
        return JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(row => row.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))
            .ToList();
    }

    private static async Task<HashSet<long>> ArchivedStreamIdsAsync(string archive)
    {
        var store = new FileSystemObjectStore(archive);
        var reader = new ArchiveReader(store);
        var ids = new HashSet<long>();
        await foreach (var item in store.ListAsync(ArchiveKeys.DataPrefix, Ct))
        {
            try
            {
                var layout = await reader.ReadLayoutAsync(item.Key, item.Size, Ct);
                ids.UnionWith(layout.Description.Streams.Select(s => s.StreamId));
            }
            catch (ObjectStoreException e) when (e.NotFound)
            {
                // Deleted between the listing and the read.
            }
        }

        return ids;
    }

    private static async Task<long> StreamIdAsync(ArchivingNode node, string path) =>
        await CountAsync(node, $"select stream_id from streams where path = '{path}'");

    private static async Task<long> CountAsync(ArchivingNode node, string sql)
    {
        await using var connection = new NpgsqlConnection(node.Database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> RecordsSizeAsync(ArchivingNode node) =>
        await CountAsync(node, "select pg_total_relation_size('stream_records')");

    /// <summary>
    /// The size of stream_records after VACUUM FULL, repeated until it is below <paramref name="target"/>
    /// or 30 s have passed. VACUUM FULL keeps the deleted rows a transaction that began before their
    /// delete may still see (the archiver's last batch, committed just before, can still be open in
    /// another of the node's connections for a moment); a node that kept such a transaction open
    /// for good fails here, with the transactions that held the rows back.
    /// </summary>
    private static async Task<long> VacuumedRecordsSizeAsync(ArchivingNode node, long target)
    {
        await using var connection = new NpgsqlConnection(node.Database);
        await connection.OpenAsync(Ct);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var vacuum = new NpgsqlCommand("vacuum full stream_records", connection))
            {
                await vacuum.ExecuteNonQueryAsync(Ct);
            }

            var size = await RecordsSizeAsync(node);
            if (size < target || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                if (size >= target)
                {
                    Log($"stream_records still {size} bytes after VACUUM FULL for {clock.Elapsed.TotalSeconds:F0} s; open transactions: {await OpenTransactionsAsync(connection)}");
                }

                return size;
            }

            await Task.Delay(500, Ct);
        }
    }

    private static async Task<string> OpenTransactionsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "select pid, state, xact_start, backend_xmin, left(query, 80) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null",
            connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add($"[pid {reader.GetValue(0)} {reader.GetValue(1)} since {reader.GetValue(2)} xmin {reader.GetValue(3)}: {reader.GetValue(4)}]");
        }

        return rows.Count == 0 ? "none" : string.Join(' ', rows);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, $"Timed out after {timeout} waiting until {what}.");
            await Task.Delay(100, Ct);
        }
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
