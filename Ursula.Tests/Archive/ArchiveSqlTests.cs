using System.Text;
using Ursula.Archive.Compaction;
using Ursula.Archive.Layout;
using Ursula.Archive.Reading;
using Ursula.Archive.Restore;
using Ursula.Archive.Sql;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;
using Ursula.Server.Streams;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ArchiveSqlTests : IDisposable
{
    private readonly TemporaryArchive archive = new();

    private readonly FileSystemObjectStore store;

    public ArchiveSqlTests() => store = archive.Store;

    [Fact]
    public async Task Plain_read_parquet_over_the_glob_returns_the_same_messages_as_were_archived()
    {
        var ct = TestContext.Current.CancellationToken;
        using var sql = await OpenChatArchiveAsync(ct);

        var glob = Path.Combine(archive.Root, ArchiveKeys.DataGlob);
        var result = await sql.QueryAsync($"SELECT stream, start_offset, end_offset, text, payload FROM read_parquet('{glob}') WHERE content_type = 'application/json' ORDER BY stream, start_pos", ct);

        var expected = ChatArchive.Messages().OrderBy(m => m.Stream, StringComparer.Ordinal).ThenBy(m => m.Position).ToList();
        Assert.Equal(expected.Count, result.Rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Stream, result.Rows[i][0]);
            Assert.Equal(StreamOffset.Format(expected[i].Position), result.Rows[i][1]);
            Assert.Equal(StreamOffset.Format(expected[i].Position + 1), result.Rows[i][2]);
            Assert.Equal(expected[i].Json, result.Rows[i][3]);
            Assert.Equal(Encoding.UTF8.GetBytes(expected[i].Json), result.Rows[i][4]);
        }

        var blob = await sql.QueryAsync("SELECT payload, text FROM messages WHERE stream = '/files/blob' ORDER BY start_pos", ct);
        Assert.Equal([new byte[] { 0, 1, 2, 255 }, Encoding.UTF8.GetBytes("not json")], blob.Rows.Select(r => r[0]));
        Assert.All(blob.Rows, r => Assert.Null(r[1]));
    }

    [Fact]
    public async Task The_messages_view_has_the_documented_columns_and_types()
    {
        var ct = TestContext.Current.CancellationToken;
        using var sql = await OpenChatArchiveAsync(ct);

        var columns = await sql.QueryAsync("SELECT column_name, column_type FROM (DESCRIBE messages)", ct);

        Assert.Equal(ArchiveSql.MessageColumns, columns.Rows.Select(r => (string)r[0]!));
        Assert.Equal(
            ["VARCHAR", "BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "TIMESTAMP WITH TIME ZONE", "VARCHAR", "BIGINT", "BIGINT", "BLOB", "VARCHAR"],
            columns.Rows.Select(r => (string)r[1]!));
        Assert.Equal(2, sql.Files.Count);
    }

    [Fact]
    public async Task Messages_per_hour_per_stream_counts_every_message_in_its_hour()
    {
        var ct = TestContext.Current.CancellationToken;
        using var sql = await OpenChatArchiveAsync(ct);

        var result = await sql.QueryAsync(AnalyticsQueries.Load("messages_per_hour"), ct);

        var json = ChatArchive.Messages().Select(m => (m.Stream, Hour: m.AppendedAtMs / 3_600_000, Bytes: (long)Encoding.UTF8.GetByteCount(m.Json)));
        var blob = ChatArchive.Blob.Records.Select(r => (Stream: "/files/blob", Hour: r.AppendedAtMs / 3_600_000, Bytes: (long)r.Payload.Length));
        var expected = json.Concat(blob)
            .GroupBy(m => (m.Stream, m.Hour))
            .OrderBy(g => g.Key.Stream, StringComparer.Ordinal).ThenBy(g => g.Key.Hour)
            .Select(g => $"{g.Key.Stream} {DateTimeOffset.FromUnixTimeMilliseconds(g.Key.Hour * 3_600_000):yyyy-MM-ddTHH:mm} {g.Count()} {g.Sum(m => m.Bytes)}");
        Assert.Equal(["messages", "bytes"], result.Columns.Skip(2));
        Assert.Equal(expected, result.Rows.Select(r => $"{r[0]} {(DateTime)r[1]!:yyyy-MM-ddTHH:mm} {r[2]} {r[3]}"));
        Assert.Equal(3, result.Rows.Count(r => (string)r[0]! == "/chat/room-1"));
    }

    [Fact]
    public async Task Top_producers_ranks_producers_by_messages_written()
    {
        var ct = TestContext.Current.CancellationToken;
        using var sql = await OpenChatArchiveAsync(ct);

        var result = await sql.QueryAsync(AnalyticsQueries.Load("top_producers"), ct);

        var expected = ChatArchive.Messages().Where(m => m.Producer is not null).GroupBy(m => m.Producer!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()} {g.Select(m => m.Stream).Distinct().Count()} {g.Max(m => m.Epoch)}");
        Assert.Equal(expected, result.Rows.Select(r => $"{r[0]} {r[1]} {r[2]} {r[3]}"));
        Assert.Equal("ada", result.Rows[0][0]);
    }

    [Fact]
    public async Task The_json_search_finds_the_chat_messages_that_mention_an_invoice()
    {
        var ct = TestContext.Current.CancellationToken;
        using var sql = await OpenChatArchiveAsync(ct);

        var result = await sql.QueryAsync(AnalyticsQueries.Load("search_json"), ct);

        var expected = ChatArchive.Messages()
            .Where(m => m.Json.StartsWith('{') && m.Type == "message" && m.Body!.Contains("invoice", StringComparison.OrdinalIgnoreCase))
            .OrderBy(m => m.Stream, StringComparer.Ordinal).ThenBy(m => m.Position)
            .Select(m => $"{m.Stream} {StreamOffset.Format(m.Position)} {m.User} {m.Body}");
        Assert.Equal(expected, result.Rows.Select(r => $"{r[0]} {r[1]} {r[3]} {r[4]}"));
        Assert.Equal(3, result.Rows.Count);
    }

    [Fact]
    public async Task The_view_leaves_out_objects_superseded_by_a_compaction_and_tombstoned_streams()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = new ArchiveWriter(store, new ArchiveWriterOptions());
        var first = await writer.WriteObjectAsync([ChatArchive.Room1, ChatArchive.Room2, ChatArchive.Blob], ct);
        await new ArchiveCompactor(new ArchiveReader(store), writer).CompactAsync(first.Key, first.Size, new HashSet<long> { 2 }, ct);
        await ArchiveTombstones.WriteAsync(store, 3, ct);
        using var sql = await ArchiveSql.OpenAsync(store, ct);

        var streams = await sql.QueryAsync("SELECT stream, count(*) FROM messages GROUP BY stream ORDER BY stream", ct);

        Assert.Equal([$"/chat/room-1 {ChatArchive.Room1.End}"], streams.Rows.Select(r => $"{r[0]} {r[1]}"));
        Assert.Single(sql.Files);
    }

    [Fact]
    public async Task An_empty_archive_has_an_empty_messages_view()
    {
        using var sql = await ArchiveSql.OpenAsync(store, TestContext.Current.CancellationToken);

        var result = await sql.QueryAsync(AnalyticsQueries.Load("messages_per_hour"), TestContext.Current.CancellationToken);

        Assert.Empty(result.Rows);
        Assert.Equal(["messages_per_hour", "search_json", "top_producers"], AnalyticsQueries.Names);
    }

    public void Dispose() => archive.Dispose();

    private async Task<ArchiveSql> OpenChatArchiveAsync(CancellationToken cancellationToken)
    {
        await ChatArchive.WriteAsync(store, cancellationToken);
        return await ArchiveSql.OpenAsync(store, cancellationToken);
    }
}
