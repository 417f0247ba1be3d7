using System.Text.Json;
using Ursula.Archive.Sql;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class SqlResultFormatterTests
{
    private static readonly SqlResult Result = new(
        ["stream", "hour", "messages", "payload"],
        ["VARCHAR", "TIMESTAMP WITH TIME ZONE", "BIGINT", "BLOB"],
        [
            ["/chat/room-1", new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc), 3L, new byte[] { 0, 255 }],
            ["/a, \"quoted\"", null, 12L, null],
        ]);

    [Fact]
    public void A_table_aligns_columns_under_a_header_and_right_aligns_numbers()
    {
        var lines = SqlResultFormatter.Format(Result, SqlOutputFormat.Table).Split(Environment.NewLine);

        Assert.Equal("stream       | hour                     | messages | payload", lines[0]);
        Assert.Equal("-------------+--------------------------+----------+--------", lines[1]);
        Assert.Equal("/chat/room-1 | 2026-01-01T10:00:00.000Z |        3 | AP8=", lines[2]);
        Assert.Equal("/a, \"quoted\" | NULL                     |       12 | NULL", lines[3]);
        Assert.Equal("(2 rows)", lines[4]);
    }

    [Fact]
    public void Csv_quotes_what_needs_quoting_and_leaves_null_empty()
    {
        Assert.Equal(
            "stream,hour,messages,payload\r\n/chat/room-1,2026-01-01T10:00:00.000Z,3,AP8=\r\n\"/a, \"\"quoted\"\"\",,12,\r\n",
            SqlResultFormatter.Format(Result, SqlOutputFormat.Csv));
    }

    [Fact]
    public void Json_is_an_array_of_objects_with_numbers_as_numbers()
    {
        using var document = JsonDocument.Parse(SqlResultFormatter.Format(Result, SqlOutputFormat.Json));
        var rows = document.RootElement.EnumerateArray().ToList();

        Assert.Equal(2, rows.Count);
        Assert.Equal(3, rows[0].GetProperty("messages").GetInt64());
        Assert.Equal("2026-01-01T10:00:00.000Z", rows[0].GetProperty("hour").GetString());
        Assert.Equal("AP8=", rows[0].GetProperty("payload").GetString());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("hour").ValueKind);
    }
}
