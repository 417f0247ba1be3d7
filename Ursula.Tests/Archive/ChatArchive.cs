// A small, realistic archive for the SQL tests: two JSON chat rooms and a byte stream, written
// as two objects, with known times and producers so every query's answer can be computed here.
using System.Text;
using System.Text.Json;
using Ursula.Archive.Format;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;

namespace Ursula.Tests.Archive;

public sealed record ChatMessage(string Stream, long Position, long AppendedAtMs, string? Producer, long? Epoch, string Json)
{
    public string? Type => JsonDocument.Parse(Json).RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;

    public string? Body => JsonDocument.Parse(Json).RootElement.TryGetProperty("body", out var b) ? b.GetString() : null;

    public string? User => JsonDocument.Parse(Json).RootElement.TryGetProperty("user", out var u) ? u.GetString() : null;
}

public static class ChatArchive
{
    private const long Hour = 3_600_000;
    private static readonly long T0 = ArchiveTestData.BaseTimeMs + (10 * Hour); // 2026-01-01T10:00Z

    public static readonly ArchiveSegment Room1 = Room(1, "/chat/room-1",
    [
        (T0 + 60_000, "ada", ["{\"type\":\"join\",\"user\":\"ada\"}", "{\"type\":\"message\",\"user\":\"ada\",\"body\":\"Hello, room [1]!\"}"]),
        (T0 + 120_000, "bob", ["{\"type\":\"message\",\"user\":\"bob\",\"body\":\"Did the INVOICE go out?\"}"]),
        (T0 + Hour + 5_000, "ada", ["{\"type\":\"message\",\"user\":\"ada\",\"body\":\"Invoice sent, \\\"paid\\\" soon\"}"]),
        (T0 + Hour + 9_000, null, ["{\"type\":\"system\",\"body\":\"invoice bot restarted\"}"]),
        (T0 + (2 * Hour) + 1, "bob", ["{\"type\":\"message\",\"user\":\"bob\",\"body\":\"Grüße 🦊\"}", "{\"type\":\"leave\",\"user\":\"bob\"}"]),
    ]);

    public static readonly ArchiveSegment Room2 = Room(2, "/chat/room-2",
    [
        (T0 + 30_000, "ada", ["{\"type\":\"message\",\"user\":\"ada\",\"body\":\"second room, no bills\"}"]),
        (T0 + 40_000, "carol", ["{\"type\":\"message\",\"user\":\"carol\",\"body\":\"where is invoice 42?\"}", "[1,2,3]"]),
    ]);

    public static readonly ArchiveSegment Blob = ArchiveTestData.Bytes(3, "/files/blob", [[0, 1, 2, 255], Encoding.UTF8.GetBytes("not json")]);

    public static IEnumerable<ChatMessage> Messages() =>
        new[] { Room1, Room2 }.SelectMany(segment => segment.Records.SelectMany(record =>
        {
            var parts = JsonMessageSplitter.Split(record.Payload);
            return parts.Select((p, i) => new ChatMessage(segment.Path, record.Start + i, record.AppendedAtMs, record.Producer?.Id, record.Producer?.Epoch, Encoding.UTF8.GetString(record.Payload, p.Offset, p.Length)));
        }));

    /// <summary>Writes the archive as two objects (the rooms split across them).</summary>
    public static async Task WriteAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var writer = new ArchiveWriter(store, new ArchiveWriterOptions { RowGroupTargetBytes = 300 });
        await writer.WriteObjectAsync([Room1 with { Records = Room1.Records.Take(3).ToList() }, Blob], cancellationToken);
        await writer.WriteObjectAsync([Room1 with { Records = Room1.Records.Skip(3).ToList() }, Room2], cancellationToken);
    }

    private static ArchiveSegment Room(long id, string path, (long At, string? Producer, string[] Messages)[] appends)
    {
        var records = new List<ArchiveRecord>();
        long position = 0;
        var seq = 0;
        foreach (var (at, producer, messages) in appends)
        {
            records.Add(new ArchiveRecord(position, position + messages.Length, at, 500 + seq, Encoding.UTF8.GetBytes(string.Join(',', messages)), producer is null ? null : new ArchiveProducer(producer, 1 + (seq % 2), seq)));
            position += messages.Length;
            seq++;
        }

        return new ArchiveSegment(id, path, "application/json", records);
    }
}
