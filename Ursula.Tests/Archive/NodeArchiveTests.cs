// The cold tier on one node with the filesystem archive: data written, archived (PostgreSQL gives
// its records up), then read back byte-exact by catch-up, long-poll and SSE from the start, from an
// offset inside an object and across the boundary with hot data, through a fork whose inherited
// range is archived, with the same ETags as before archiving, and after a restart.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class NodeArchiveTests(PostgresFixture postgres) : IAsyncLifetime
{
    private ArchivingNode node = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(NodeArchiveTests), CancellationToken.None);
        var dataDir = Path.Combine(Path.GetTempPath(), $"ursula-archive-node-{Guid.NewGuid():N}");
        node = await ArchivingNode.StartAsync(database, dataDir, ArchivingNode.FastArchiving(hotWindowBytes: 16 * 1024), null, CancellationToken.None);
    }

    [Fact]
    public async Task A_byte_stream_reads_back_byte_exact_from_the_archive_by_catch_up_long_poll_and_SSE_and_after_a_restart()
    {
        const string path = "/cold/bytes";
        var written = new MemoryStream();
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(path, "application/octet-stream")).StatusCode);
        for (var i = 0; i < 600; i++)
        {
            var chunk = RandomNumberGenerator.GetBytes(200 + (i * 37 % 300));
            written.Write(chunk);
            Assert.Equal(HttpStatusCode.NoContent, (await AppendAsync(path, chunk, "application/octet-stream")).StatusCode);
        }

        var expected = written.ToArray();

        // A chunk read while everything is hot, to compare with the same read from the archive.
        using var beforeRequest = new HttpRequestMessage(HttpMethod.Get, $"{path}?offset={StreamReads.Offset(1000)}");
        using var before = await node.Client.SendAsync(beforeRequest, Ct);
        var beforeBody = await before.Content.ReadAsByteArrayAsync(Ct);
        var etag = before.Headers.ETag!.Tag;

        var waited = await node.WaitUntilArchivedAsync(path, expected.Length - (32 * 1024), Ct);
        var (archivedTo, tail, inPostgres) = await node.StoredAsync(path, Ct);
        Log($"{expected.Length} bytes in 600 appends; archived to {archivedTo} of {tail} within {waited.TotalSeconds:F1} s; PostgreSQL keeps {inPostgres} records");
        Assert.True(inPostgres < 200, $"PostgreSQL still holds {inPostgres} of 600 records");

        Assert.Equal(expected, await StreamReads.CatchUpAsync(node.Client, path, "-1", Ct));
        var middle = 12_345;
        Assert.Equal(expected[middle..], await StreamReads.CatchUpAsync(node.Client, path, StreamReads.Offset(middle), Ct));
        var acrossBoundary = archivedTo - 777;
        Assert.Equal(expected[(int)acrossBoundary..], await StreamReads.CatchUpAsync(node.Client, path, StreamReads.Offset(acrossBoundary), Ct));
        var (polled, _) = await StreamReads.LongPollAsync(node.Client, path, StreamReads.Offset(middle), Ct);
        Assert.Equal(expected.AsSpan(middle, polled.Length).ToArray(), polled);
        Assert.Equal(expected, await StreamReads.SseUntilUpToDateAsync(node.Client, path, "-1", base64: true, Ct));

        // The same chunk from the archive: same bytes, same ETag, and a conditional read is 304.
        using var after = await node.Client.GetAsync($"{path}?offset={StreamReads.Offset(1000)}", Ct);
        Assert.Equal(beforeBody, await after.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(etag, after.Headers.ETag!.Tag);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"{path}?offset={StreamReads.Offset(1000)}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var notModified = await node.Client.SendAsync(conditional, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        await node.RestartAsync(Ct);
        Assert.Equal(expected, await StreamReads.CatchUpAsync(node.Client, path, "-1", Ct));
        Assert.Equal(expected[middle..], await StreamReads.SseUntilUpToDateAsync(node.Client, path, StreamReads.Offset(middle), base64: true, Ct));
    }

    [Fact]
    public async Task A_JSON_stream_keeps_its_messages_exactly_through_the_archive()
    {
        const string path = "/cold/json";
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(path, "application/json")).StatusCode);
        var messages = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var batch = Enumerable.Range(0, 1 + (i % 3)).Select(k => JsonSerializer.Serialize(new { i, k, text = $"α,β]\"{{[{new string('x', i % 50)}" })).ToList();
            messages.AddRange(batch);
            Assert.Equal(HttpStatusCode.NoContent, (await AppendAsync(path, Encoding.UTF8.GetBytes($"[{string.Join(',', batch)}]"), "application/json")).StatusCode);
        }

        await node.WaitUntilArchivedAsync(path, messages.Count / 2, Ct);
        await node.RestartAsync(Ct);
        Assert.Equal(messages, Parse(await StreamReads.CatchUpAsync(node.Client, path, "-1", Ct)));
        Assert.Equal(messages[137..], Parse(await StreamReads.CatchUpAsync(node.Client, path, StreamReads.Offset(137), Ct)));
        Assert.Equal(messages, Parse(await StreamReads.SseUntilUpToDateAsync(node.Client, path, "-1", base64: false, Ct), sse: true));
    }

    [Fact]
    public async Task A_fork_reads_its_archived_inherited_range_and_its_own_data()
    {
        const string source = "/cold/source", fork = "/cold/fork";
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(source, "text/plain")).StatusCode);
        var text = new StringBuilder();
        for (var i = 0; i < 400; i++)
        {
            var line = $"source line {i} {new string('s', 100)}\n";
            text.Append(line);
            await AppendAsync(source, Encoding.UTF8.GetBytes(line), "text/plain");
        }

        await node.WaitUntilArchivedAsync(source, 20_000, Ct);
        var forkAt = 10_007;
        using (var created = await CreateAsync(fork, "text/plain", ("Stream-Forked-From", source), ("Stream-Fork-Offset", StreamReads.Offset(forkAt))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await AppendAsync(fork, "fork's own\n"u8.ToArray(), "text/plain");
        var expected = text.ToString()[..forkAt] + "fork's own\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(await StreamReads.CatchUpAsync(node.Client, fork, "-1", Ct)));
        await node.RestartAsync(Ct);
        Assert.Equal(expected, Encoding.UTF8.GetString(await StreamReads.CatchUpAsync(node.Client, fork, "-1", Ct)));
    }

    private Task<HttpResponseMessage> CreateAsync(string path, string contentType, params (string Name, string Value)[] headers) =>
        node.Client.CreateAsync(path, contentType, cancellationToken: Ct, headers: headers);

    private async Task<HttpResponseMessage> AppendAsync(string path, byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return await node.Client.PostAsync(path, content, Ct);
    }

    private static List<string> Parse(byte[] body, bool sse = false)
    {
        var text = Encoding.UTF8.GetString(body);
        // A catch-up answers one JSON array per chunk, SSE one per event: all concatenated here.
        var messages = new List<string>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(sse ? text.Replace("][", ",", StringComparison.Ordinal) : text.Replace("][", ",", StringComparison.Ordinal)));
        using var document = JsonDocument.ParseValue(ref reader);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            messages.Add(element.GetRawText());
        }

        return messages;
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public async ValueTask DisposeAsync() => await node.DisposeAsync();
}
