// The cold tier on a three-node cluster sharing one archive directory: a byte stream and a JSON
// stream written through the leader are archived by the leader alone, every member drops the
// archived records from its own PostgreSQL, and a follower reads everything back byte-exact by
// catch-up (from the start, from an offset an append returned, across the hot/cold boundary),
// long-poll and SSE. The leader is then killed: the new leader and the remaining follower read the
// same, the new leader archives what is written next, and after every node is killed and started
// again (so that nothing is served from memory) each of them still reads both streams exactly.
// A second test loses every member's PostgreSQL and WAL, restores each member on its own from the
// shared archive and checks that the restored cluster serves exactly what had been archived.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using Ursula.Archive.Layout;
using Ursula.Archive.Reading;
using Ursula.Archive.Storage;
using Ursula.Tests.Archive;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public sealed class ClusterArchiveTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private const string BytesPath = "/cluster-archive/bytes";
    private const string JsonPath = "/cluster-archive/json";
    private const long HotWindow = 16 * 1024;

    private readonly MemoryStream bytesWritten = new();
    private readonly List<string> messages = [];
    private readonly Dictionary<Uri, HttpClient> clients = [];

    protected override IReadOnlyList<string> ExtraNodeArguments => ArchivingNode.FastArchiving(HotWindow);

    protected override IReadOnlyDictionary<string, string> NodeEnvironment(int node) => ArchivingNode.SmallRowGroups();

    [Fact]
    public async Task Archived_streams_read_back_exactly_from_followers_across_a_leader_change_and_a_restart_of_every_node()
    {
        var clock = Stopwatch.StartNew();
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var follower = followers[0];

        // Written through the leader; the offsets the appends answered are kept to read from later.
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(leader, BytesPath, "application/octet-stream")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(leader, JsonPath, "application/json")).StatusCode);
        var byteOffsets = new List<(long Position, string Offset)>();
        var jsonOffsets = new List<(int Messages, string Offset)>();
        var writing = Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < 150; i++)
                {
                    byteOffsets.Add(await AppendBytesAsync(leader, 300 + (i * 97 % 700)));
                }
            }, Ct),
            Task.Run(async () =>
            {
                for (var i = 0; i < 80; i++)
                {
                    jsonOffsets.Add(await AppendJsonAsync(leader, i, 1 + (i % 4)));
                }
            }, Ct));
        await writing;
        var bytesTail = bytesWritten.Length;
        Log($"{bytesTail} bytes in 150 appends and {messages.Count} JSON messages in 80 appends through leader node {leader}");

        // Archived: the frontier moves on every member, whose PostgreSQL gives the records up.
        await WaitUntilArchivedEverywhereAsync(BytesPath, bytesTail - (2 * HotWindow), Cluster.LiveNodes);
        await WaitUntilArchivedEverywhereAsync(JsonPath, messages.Count / 2, Cluster.LiveNodes);
        var stored = await StoredAsync(follower, BytesPath);
        Log($"archived after {clock.Elapsed.TotalSeconds:F1} s: bytes to {stored.ArchivedTo} of {stored.Tail} on follower node {follower}, which keeps {stored.Records} of 150 records; {ArchiveFiles()} files in the shared archive");
        Assert.True(stored.Records < 75, $"follower node {follower} still holds {stored.Records} of 150 records of {BytesPath}");
        Assert.True(ArchiveFiles() > 0, "the shared archive directory holds no file");

        // Only the leader archives; health says so and reports nothing failing.
        var leaderHealth = await ArchiveHealthAsync(leader);
        Assert.True(leaderHealth.GetProperty("objectsWritten").GetInt64() > 0, $"leader health: {leaderHealth}");
        Assert.Equal(JsonValueKind.Null, leaderHealth.GetProperty("failing").ValueKind);
        foreach (var f in followers)
        {
            var health = await ArchiveHealthAsync(f);
            Assert.True(health.GetProperty("objectsWritten").GetInt64() == 0, $"follower node {f} archived: {health}");
        }

        // A follower reads it all: from the start, from an offset an append answered, long-poll, SSE.
        var expected = bytesWritten.ToArray();
        var (middle, middleOffset) = byteOffsets[60];
        var (jsonMiddle, jsonMiddleOffset) = jsonOffsets[30];
        Assert.True(middle < stored.ArchivedTo, $"the middle offset {middle} is not archived (frontier {stored.ArchivedTo})");
        Assert.True(jsonMiddle < messages.Count / 2, $"the JSON middle offset {jsonMiddle} is not archived");
        await WaitForTailAsync(follower, BytesPath, byteOffsets[^1].Offset);
        await WaitForTailAsync(follower, JsonPath, jsonOffsets[^1].Offset);
        Assert.Equal(expected, await StreamReads.CatchUpAsync(Client(follower), BytesPath, "-1", Ct));
        Assert.Equal(expected[(int)middle..], await StreamReads.CatchUpAsync(Client(follower), BytesPath, middleOffset, Ct));
        var (polled, _) = await StreamReads.LongPollAsync(Client(follower), BytesPath, middleOffset, Ct);
        Assert.True(polled.Length > 0, "a long-poll from an archived offset returned nothing");
        Assert.Equal(expected.AsSpan((int)middle, polled.Length).ToArray(), polled);
        Assert.Equal(expected, await StreamReads.SseUntilUpToDateAsync(Client(follower), BytesPath, "-1", base64: true, Ct));
        Assert.Equal(messages, ParseJson(await StreamReads.CatchUpAsync(Client(follower), JsonPath, "-1", Ct)));
        Assert.Equal(messages[jsonMiddle..], ParseJson(await StreamReads.CatchUpAsync(Client(follower), JsonPath, jsonMiddleOffset, Ct)));
        Assert.Equal(messages, ParseJson(await StreamReads.SseUntilUpToDateAsync(Client(follower), JsonPath, "-1", base64: false, Ct)));

        // Across the boundary: more written after archiving, read from inside the archive through
        // PostgreSQL and the hot tail, from an answered record boundary and from inside a record.
        for (var i = 0; i < 20; i++)
        {
            byteOffsets.Add(await AppendBytesAsync(leader, 600));
        }

        expected = bytesWritten.ToArray();
        stored = await StoredAsync(follower, BytesPath);
        var boundary = byteOffsets.Last(o => o.Position < stored.ArchivedTo);
        var insideRecord = stored.ArchivedTo - 77;
        await WaitForTailAsync(follower, BytesPath, byteOffsets[^1].Offset);
        Assert.Equal(expected[(int)boundary.Position..], await StreamReads.CatchUpAsync(Client(follower), BytesPath, boundary.Offset, Ct));
        Assert.Equal(expected[(int)insideRecord..], await StreamReads.CatchUpAsync(Client(follower), BytesPath, StreamReads.Offset(insideRecord), Ct));

        // A long-poll waiting at the follower's tail is woken by an append through the leader.
        var waiting = StreamReads.LongPollAsync(Client(follower), BytesPath, byteOffsets[^1].Offset, Ct);
        await Task.Delay(200, Ct);
        var before = bytesWritten.Length;
        byteOffsets.Add(await AppendBytesAsync(leader, 222));
        var (woken, wokenNext) = await waiting;
        Assert.Equal(bytesWritten.ToArray()[(int)before..], woken);
        Assert.Equal(byteOffsets[^1].Offset, wokenNext);
        Log($"follower reads checked after {clock.Elapsed.TotalSeconds:F1} s (archive frontier {stored.ArchivedTo}, tail {bytesWritten.Length})");

        // A leader change: the new leader and the other follower read the same, and the new
        // leader archives what is written next.
        Cluster.Kill(leader);
        var newLeader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), Ct);
        var survivor = Cluster.LiveNodes.Single(i => i != newLeader);
        Log($"leader node {leader} killed; node {newLeader} leads after {clock.Elapsed.TotalSeconds:F1} s");
        await CheckReadsAsync([newLeader, survivor], middleOffset, (int)middle, jsonMiddleOffset, jsonMiddle);
        var archivedBefore = (await StoredAsync(newLeader, BytesPath)).ArchivedTo;
        for (var i = 0; i < 60; i++)
        {
            byteOffsets.Add(await AppendBytesAsync(newLeader, 800));
            if (i % 2 == 0)
            {
                jsonOffsets.Add(await AppendJsonAsync(newLeader, 1000 + i, 3));
            }
        }

        await WaitUntilArchivedEverywhereAsync(BytesPath, bytesWritten.Length - (2 * HotWindow), Cluster.LiveNodes);
        var newLeaderHealth = await ArchiveHealthAsync(newLeader);
        Log($"the new leader archived {BytesPath} from {archivedBefore} to {(await StoredAsync(newLeader, BytesPath)).ArchivedTo} of {bytesWritten.Length}; its health: {newLeaderHealth}");
        Assert.True(newLeaderHealth.GetProperty("objectsWritten").GetInt64() > 0, $"new leader health: {newLeaderHealth}");
        await CheckReadsAsync([survivor, newLeader], middleOffset, (int)middle, jsonMiddleOffset, jsonMiddle);

        // Every node killed and started again, the old leader included: reads come from storage.
        await RestartAllAsync();
        foreach (var node in Enumerable.Range(0, TestCluster.Size))
        {
            var (archivedTo, tail, records) = await StoredAsync(node, BytesPath);
            Log($"after the restart node {node} has {BytesPath} archived to {archivedTo} of {tail} and keeps {records} records");
            Assert.True(archivedTo >= bytesWritten.Length - (2 * HotWindow), $"node {node} has {BytesPath} archived only to {archivedTo} of {tail}");
            var json = await StoredAsync(node, JsonPath);
            Assert.True(json.ArchivedTo >= jsonMiddle, $"node {node} has {JsonPath} archived only to {json.ArchivedTo} of {json.Tail}");
        }

        await CheckReadsAsync(Enumerable.Range(0, TestCluster.Size).ToArray(), middleOffset, (int)middle, jsonMiddleOffset, jsonMiddle);
        Log($"done after {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Every_member_restored_from_the_shared_archive_alone_forms_a_cluster_that_serves_the_archived_part()
    {
        var clock = Stopwatch.StartNew();
        var (leader, _) = await Cluster.GetRolesAsync(Ct);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(leader, BytesPath, "application/octet-stream")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(leader, JsonPath, "application/json")).StatusCode);
        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await AppendBytesAsync(leader, 400 + (i * 131 % 600));
                }
            }, Ct),
            Task.Run(async () =>
            {
                for (var i = 0; i < 60; i++)
                {
                    await AppendJsonAsync(leader, i, 1 + (i % 4));
                }
            }, Ct));
        await WaitUntilArchivedEverywhereAsync(BytesPath, bytesWritten.Length - (2 * HotWindow), Cluster.LiveNodes);
        await WaitUntilArchivedEverywhereAsync(JsonPath, messages.Count / 2, Cluster.LiveNodes);

        // PostgreSQL and the WAL of every node are lost: nothing runs against the archive any more.
        await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        Cluster.KillAll();
        // The archiver keeps running until the kill: an object can be uploaded whose manifest change
        // no node had flushed into PostgreSQL yet (CI saw one). The restore serves it too (it holds
        // committed appends only), so the expectation is what the archive's objects hold, read from
        // their footers, and never less than what every node had recorded as archived.
        var archive = Path.Combine(Cluster.RootDirectory, "archive");
        var recordedBytes = (await StoredAsync(0, BytesPath)).ArchivedTo;
        var recordedMessages = (await StoredAsync(0, JsonPath)).ArchivedTo;
        var archivedBytes = await ArchivedEndAsync(archive, BytesPath);
        var archivedMessages = (int)await ArchivedEndAsync(archive, JsonPath);
        Assert.True(archivedBytes >= recordedBytes && archivedMessages >= recordedMessages, $"the archive holds less than node 0 recorded: bytes {archivedBytes} < {recordedBytes} or messages {archivedMessages} < {recordedMessages}");
        Log($"{bytesWritten.Length} bytes and {messages.Count} messages written; {archivedBytes} bytes and {archivedMessages} messages in the archive ({recordedBytes} and {recordedMessages} recorded by node 0) when every node was killed after {clock.Elapsed.TotalSeconds:F1} s");

        // Each member restored on its own from the same archive, into a fresh data directory and an empty database.
        var databases = await Postgres.CreateDatabasesAsync("restored", Ct);
        var ports = new HashSet<int>();
        while (ports.Count < TestCluster.Size)
        {
            ports.Add(FreePort.Next());
        }

        var urls = ports.Select(p => new Uri($"http://127.0.0.1:{p}")).ToArray();
        var dataDirs = Enumerable.Range(0, TestCluster.Size).Select(i => Path.Combine(Cluster.RootDirectory, $"restored{i}")).ToArray();
        var restores = await Task.WhenAll(Enumerable.Range(0, TestCluster.Size).Select(i =>
            NodeProcess.RunToExitAsync(["restore", "--data-dir", dataDirs[i], "--postgres", databases[i], "--archive-dir", archive], TimeSpan.FromSeconds(90), Ct)));
        foreach (var (code, output) in restores)
        {
            Assert.True(code == 0 && output.Contains("restored 2 streams", StringComparison.Ordinal), $"restore exited {code}:\n{output}");
        }

        Log($"three restores done after {clock.Elapsed.TotalSeconds:F1} s: {restores[0].Output.Trim()}");
        var members = string.Join(',', urls.Select(u => u.ToString().TrimEnd('/')));
        var nodes = Enumerable.Range(0, TestCluster.Size)
            .Select(i => NodeProcess.Start(ports.ElementAt(i), dataDirs[i], databases[i], [.. TestCluster.NodeArguments, "--archive-dir", archive, .. ArchivingNode.FastArchiving(HotWindow), "--cluster", members], ArchivingNode.SmallRowGroups()))
            .ToList();
        var passed = false;
        try
        {
            await Task.WhenAll(nodes.Select(n => n.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct)));
            Uri? newLeader = null;
            await WaitUntilAsync(
                async () =>
                {
                    var statuses = await Task.WhenAll(urls.Select(u => Cluster.TryGetStatusAsync(u, Ct)));
                    newLeader = statuses.All(s => s is not null) && statuses.Count(s => s!.IsLeader) == 1 && statuses.Select(s => s!.Leader).Distinct().Count() == 1
                        ? urls[Array.FindIndex(statuses, s => s!.IsLeader)]
                        : null;
                    return newLeader is not null;
                },
                TimeSpan.FromSeconds(30),
                "the restored members agree on a leader");
            Log($"restored cluster up after {clock.Elapsed.TotalSeconds:F1} s, leader {newLeader}");

            // Every member serves exactly the archived part of both streams.
            var expected = bytesWritten.ToArray()[..(int)archivedBytes];
            foreach (var url in urls)
            {
                Assert.Equal(expected, await StreamReads.CatchUpAsync(Client(url), BytesPath, "-1", Ct));
                Assert.Equal(messages[..archivedMessages], ParseJson(await StreamReads.CatchUpAsync(Client(url), JsonPath, "-1", Ct)));
            }

            // The restored cluster takes writes at the archived tail, through a follower too, and every member agrees.
            var follower = urls.First(u => u != newLeader);
            var more = RandomNumberGenerator.GetBytes(1000);
            Assert.Equal(StreamReads.Offset(archivedBytes + more.Length), await AppendAsync(follower, BytesPath, more, "application/octet-stream"));
            var withMore = expected.Concat(more).ToArray();
            foreach (var url in urls)
            {
                await WaitForTailAsync(url, BytesPath, StreamReads.Offset(withMore.Length));
                Assert.Equal(withMore, await StreamReads.SseUntilUpToDateAsync(Client(url), BytesPath, "-1", base64: true, Ct));
            }

            passed = true;
            Log($"done after {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            if (!passed)
            {
                foreach (var node in nodes)
                {
                    Log($"===== restored node {node.BaseUrl} =====\n{string.Join('\n', node.Output.Split('\n').TakeLast(40))}");
                }
            }

            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    /// <summary>How far the archive's objects reach for the stream at <paramref name="path"/>, from their footers.</summary>
    private static async Task<long> ArchivedEndAsync(string archive, string path)
    {
        var store = new FileSystemObjectStore(archive);
        var reader = new ArchiveReader(store);
        var end = 0L;
        await foreach (var item in store.ListAsync(ArchiveKeys.DataPrefix, Ct))
        {
            if (ArchiveKeys.IsDataKey(item.Key))
            {
                var layout = await reader.ReadLayoutAsync(item.Key, item.Size, Ct);
                end = layout.Description.Streams.Where(s => s.Path == path).Select(s => s.End).Append(end).Max();
            }
        }

        return end;
    }

    /// <summary>Both streams, whole and from the middle, by catch-up and SSE, on each of <paramref name="nodes"/>.</summary>
    private async Task CheckReadsAsync(int[] nodes, string middleOffset, int middle, string jsonMiddleOffset, int jsonMiddle)
    {
        var expected = bytesWritten.ToArray();
        var tail = StreamReads.Offset(expected.Length);
        var jsonTail = StreamReads.Offset(messages.Count);
        foreach (var node in nodes)
        {
            await WaitForTailAsync(node, BytesPath, tail);
            await WaitForTailAsync(node, JsonPath, jsonTail);
            Assert.Equal(expected, await StreamReads.CatchUpAsync(Client(node), BytesPath, "-1", Ct));
            Assert.Equal(expected[middle..], await StreamReads.CatchUpAsync(Client(node), BytesPath, middleOffset, Ct));
            Assert.Equal(expected[middle..], await StreamReads.SseUntilUpToDateAsync(Client(node), BytesPath, middleOffset, base64: true, Ct));
            Assert.Equal(messages, ParseJson(await StreamReads.CatchUpAsync(Client(node), JsonPath, "-1", Ct)));
            Assert.Equal(messages[jsonMiddle..], ParseJson(await StreamReads.SseUntilUpToDateAsync(Client(node), JsonPath, jsonMiddleOffset, base64: false, Ct)));
        }
    }

    private HttpClient Client(int node) => Client(Cluster.Urls[node]);

    private HttpClient Client(Uri node)
    {
        if (!clients.TryGetValue(node, out var client))
        {
            client = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
            clients[node] = client;
        }

        return client;
    }

    private Task<HttpResponseMessage> CreateAsync(int node, string path, string contentType) =>
        StreamHttp.CreateAsync(Client(node), path, contentType, cancellationToken: Ct);

    /// <summary>Appends random bytes; returns the position they end at and the offset the append answered for it.</summary>
    private async Task<(long Position, string Offset)> AppendBytesAsync(int node, int length)
    {
        var chunk = RandomNumberGenerator.GetBytes(length);
        var next = await AppendAsync(node, BytesPath, chunk, "application/octet-stream");
        lock (bytesWritten)
        {
            bytesWritten.Write(chunk);
            Assert.Equal(StreamReads.Offset(bytesWritten.Length), next);
            return (bytesWritten.Length, next);
        }
    }

    /// <summary>Appends a batch of JSON messages; returns how many messages precede the answered offset, and that offset.</summary>
    private async Task<(int Messages, string Offset)> AppendJsonAsync(int node, int round, int count)
    {
        var batch = Enumerable.Range(0, count)
            .Select(k => JsonSerializer.Serialize(new { round, k, note = $"ünï \"q\" [{round}] {{x}} \\ {new string('m', 250 + (round % 100))}" }))
            .ToList();
        var next = await AppendAsync(node, JsonPath, Encoding.UTF8.GetBytes($"[{string.Join(',', batch)}]"), "application/json");
        lock (messages)
        {
            messages.AddRange(batch);
            Assert.Equal(StreamReads.Offset(messages.Count), next);
            return (messages.Count, next);
        }
    }

    private Task<string> AppendAsync(int node, string path, byte[] body, string contentType) => AppendAsync(Cluster.Urls[node], path, body, contentType);

    private async Task<string> AppendAsync(Uri node, string path, byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await Client(node).PostAsync(path, content, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"append to {path} through node {node} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return response.Headers.GetValues("Stream-Next-Offset").Single();
    }

    /// <summary>Waits until the node has applied the stream up to <paramref name="offset"/> (HEAD answers it as the tail).</summary>
    private Task WaitForTailAsync(int node, string path, string offset) => WaitForTailAsync(Cluster.Urls[node], path, offset);

    private async Task WaitForTailAsync(Uri node, string path, string offset)
    {
        string? last = null;
        await WaitUntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Head, path);
                using var response = await Client(node).SendAsync(request, Ct);
                last = response.IsSuccessStatusCode ? response.Headers.GetValues("Stream-Next-Offset").Single() : $"status {(int)response.StatusCode}";
                return last == offset;
            },
            TimeSpan.FromSeconds(30),
            $"node {node} has {path} up to {offset} (last seen {last})");
    }

    /// <summary>Waits until each of the nodes' PostgreSQL has the stream's archive frontier at <paramref name="position"/> or later.</summary>
    private async Task WaitUntilArchivedEverywhereAsync(string path, long position, IReadOnlyList<int> nodes)
    {
        var waited = Stopwatch.StartNew();
        foreach (var node in nodes)
        {
            await WaitUntilAsync(
                async () => (await StoredAsync(node, path)).ArchivedTo >= position,
                TimeSpan.FromSeconds(45),
                $"node {node} has {path} archived to {position}");
        }

        Log($"{path} archived to {position} on nodes {string.Join(',', nodes)} within {waited.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The stream's archive frontier and tail in the node's PostgreSQL, and how many of its records it still holds.</summary>
    private async Task<(long ArchivedTo, long Tail, long Records)> StoredAsync(int node, string path)
    {
        await using var connection = new NpgsqlConnection(Cluster.Databases[node]);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "select s.archived_to, s.tail, (select count(*) from stream_records r where r.stream_id = s.stream_id) from streams s where s.path = @path order by s.stream_id desc limit 1",
            connection);
        command.Parameters.AddWithValue("path", path);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        return await reader.ReadAsync(Ct) ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)) : (-1, -1, -1);
    }

    private async Task<JsonElement> ArchiveHealthAsync(int node)
    {
        using var response = await Client(node).GetAsync("/_ursula/health", Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"node {node} health answered {(int)response.StatusCode}");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return document.RootElement.GetProperty("archive").Clone();
    }

    private int ArchiveFiles() =>
        Directory.EnumerateFiles(Path.Combine(Cluster.RootDirectory, "archive"), "*", SearchOption.AllDirectories).Count();

    /// <summary>The messages of the JSON arrays a read returned back to back (one per chunk or SSE event).</summary>
    private static List<string> ParseJson(byte[] body)
    {
        var found = new List<string>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            using var array = JsonDocument.ParseValue(ref reader);
            found.AddRange(array.RootElement.EnumerateArray().Select(e => e.GetRawText()));
        }

        return found;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        bytesWritten.Dispose();
        await base.DisposeAsync();
    }
}
