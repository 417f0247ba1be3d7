// Segments as the server would hand them over: contiguous appends of one stream incarnation.
using System.Text;
using Ursula.Archive.Format;

namespace Ursula.Tests.Archive;

public static class ArchiveTestData
{
    public const long BaseTimeMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public static ArchiveSegment Bytes(long streamId, string path, IEnumerable<byte[]> appends, string contentType = "application/octet-stream", long start = 0, long logIndex = 1)
    {
        var records = new List<ArchiveRecord>();
        var position = start;
        var i = 0;
        foreach (var payload in appends)
        {
            records.Add(new ArchiveRecord(position, position + payload.Length, BaseTimeMs + (i * 1000L), logIndex + i, payload));
            position += payload.Length;
            i++;
        }

        return new ArchiveSegment(streamId, path, contentType, records);
    }

    public static ArchiveSegment Text(long streamId, string path, params string[] appends) =>
        Bytes(streamId, path, appends.Select(Encoding.UTF8.GetBytes), "text/plain; charset=utf-8");

    /// <summary>Each inner array is one append of those messages (their JSON texts).</summary>
    public static ArchiveSegment Json(long streamId, string path, IEnumerable<string[]> appends, long start = 0, Func<int, ArchiveProducer?>? producer = null, long timeStepMs = 1000)
    {
        var records = new List<ArchiveRecord>();
        var position = start;
        var i = 0;
        foreach (var messages in appends)
        {
            var payload = Encoding.UTF8.GetBytes(string.Join(',', messages));
            records.Add(new ArchiveRecord(position, position + messages.Length, BaseTimeMs + (i * timeStepMs), 100 + i, payload, producer?.Invoke(i)));
            position += messages.Length;
            i++;
        }

        return new ArchiveSegment(streamId, path, "application/json", records);
    }

    /// <summary>Messages that would break any split on commas, brackets or quotes, and non-ASCII text.</summary>
    public static readonly string[] TrickyMessages =
    [
        "{\"text\":\"a, b, c\",\"n\":1}",
        "[1,2,[3,{\"x\":\"]\"}]]",
        "\"just a string with \\\"quotes\\\" and , commas\"",
        "{\"emoji\":\"🦊 Füchse — ünïcödé 日本語\",\"esc\":\"\\u00e9\\n\"}",
        "42",
        "-1.5e-7",
        "true",
        "null",
        "{}",
        "[]",
        "{\"nested\":{\"deep\":[{\"a\":[]},{\"b\":\"}{\"}]}}",
    ];

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static void AssertSameRecords(IEnumerable<ArchiveRecord> expected, IEnumerable<ArchiveRecord> actual)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        Assert.Equal(e.Count, a.Count);
        for (var i = 0; i < e.Count; i++)
        {
            Assert.Equal(e[i].Start, a[i].Start);
            Assert.Equal(e[i].End, a[i].End);
            Assert.Equal(e[i].AppendedAtMs, a[i].AppendedAtMs);
            Assert.Equal(e[i].LogIndex, a[i].LogIndex);
            Assert.Equal(e[i].Producer, a[i].Producer);
            Assert.True(e[i].Payload.AsSpan().SequenceEqual(a[i].Payload), $"payload of append {i} at {e[i].Start} differs");
        }
    }
}
