// Seeded random protocol requests over a few paths: creates with every option (content types,
// TTL, Expires-At, both, closed, initial bodies, forks with offsets and sub-offsets, repeated with
// the same or another configuration), appends with and without producers and Stream-Seq (next,
// duplicate, gap, stale epoch), append-and-close, close, delete, HEAD, and reads at -1, at offsets
// both servers named, at now, beyond the tail and malformed, as catch-up, long-poll or SSE.
// The model it draws from is what the reference server answered.
using System.Globalization;
using System.Text;

namespace Ursula.Tests.Differential;

public sealed class RequestGenerator(int seed)
{
    private static readonly string[] ContentTypes = ["text/plain", "application/json", "application/octet-stream", "text/plain; charset=utf-8"];
    private readonly Random random = new(seed);
    private readonly StreamModel[] streams = Enumerable.Range(0, 4).Select(k => new StreamModel($"/diff-{seed}/{(k == 3 ? "sp%20ace" : $"p{k}")}")).ToArray();
    private int counter;

    public IReadOnlyList<StreamModel> Streams => streams;

    public StreamModel ModelOf(string path) => streams.First(s => s.Path == path);

    public ProtocolRequest Next()
    {
        var stream = streams[random.Next(streams.Length)];
        return random.Next(100) switch
        {
            < 16 => Create(stream),
            < 54 => Append(stream),
            < 59 => Close(stream),
            < 63 => Delete(stream),
            < 72 => Head(stream),
            _ => Read(stream),
        };
    }

    private ProtocolRequest Create(StreamModel stream)
    {
        var contentType = stream.ContentType is { } existing && random.Next(3) > 0 ? existing : Pick(ContentTypes);
        var headers = new List<(string, string)>();
        var offsetHeaders = new List<(string, OffsetPair)>();
        var what = new StringBuilder($"PUT {stream.Path} {contentType}");
        switch (random.Next(20))
        {
            case 0 or 1:
                headers.Add(("Stream-TTL", "3600"));
                break;
            case 2:
                headers.Add(("Stream-Expires-At", "2099-01-01T00:00:00Z"));
                break;
            case 3:
                headers.Add(("Stream-TTL", "3600"));
                headers.Add(("Stream-Expires-At", "2099-01-01T00:00:00Z"));
                break;
            case 4:
                headers.Add(("Stream-TTL", Pick(["-5", "abc", "1.5", "0"])));
                break;
        }

        if (random.Next(7) == 0)
        {
            headers.Add(("Stream-Closed", "true"));
        }

        var source = streams[random.Next(streams.Length)];
        if (random.Next(5) == 0 && source != stream)
        {
            headers.Add(("Stream-Forked-From", source.Path));
            if (source.Offsets.Count > 0 && random.Next(2) == 0)
            {
                offsetHeaders.Add(("Stream-Fork-Offset", source.Offsets[random.Next(source.Offsets.Count)]));
                if (random.Next(4) == 0)
                {
                    headers.Add(("Stream-Fork-Sub-Offset", random.Next(3).ToString(CultureInfo.InvariantCulture)));
                }
            }

            contentType = source.ContentType ?? contentType;
        }

        var body = random.Next(3) == 0 ? Body(contentType) : null;
        what.Append(string.Concat(headers.Select(h => $" {h.Item1}: {h.Item2}"))).Append(string.Concat(offsetHeaders.Select(h => $" {h.Item1}: {h.Item2.Reference}")));
        what.Append(body is null ? string.Empty : $" body {Show(body)}");
        return new ProtocolRequest(HttpMethod.Put, stream.Path, what.ToString())
        {
            Headers = headers, OffsetHeaders = offsetHeaders, Body = body, ContentType = contentType,
        };
    }

    private ProtocolRequest Append(StreamModel stream)
    {
        var contentType = stream.ContentType is { } own && random.Next(10) > 0 ? own : Pick(ContentTypes);
        var headers = new List<(string, string)>();
        if (random.Next(5) < 2)
        {
            var id = Pick(["pa", "pb"]);
            var (epoch, seq) = stream.Producers.GetValueOrDefault(id, (0, -1));
            (epoch, seq) = random.Next(10) switch
            {
                < 6 => (epoch, seq + 1),
                6 => (epoch, Math.Max(0, seq)),
                7 => (epoch, seq + 3),
                8 => (epoch + 1, 0),
                _ => (Math.Max(0, epoch - 1), seq + 1),
            };
            headers.Add(("Producer-Id", id));
            headers.Add(("Producer-Epoch", epoch.ToString(CultureInfo.InvariantCulture)));
            headers.Add(("Producer-Seq", seq.ToString(CultureInfo.InvariantCulture)));
        }

        if (random.Next(7) == 0)
        {
            stream.StreamSeq += random.Next(4) == 0 ? -1 : 1;
            headers.Add(("Stream-Seq", $"s{Math.Max(0, stream.StreamSeq):D4}"));
        }

        if (random.Next(10) == 0)
        {
            headers.Add(("Stream-Closed", "true"));
        }

        var body = Body(contentType);
        return new ProtocolRequest(HttpMethod.Post, stream.Path, $"POST {stream.Path} {contentType}{string.Concat(headers.Select(h => $" {h.Item1}: {h.Item2}"))} body {Show(body)}")
        {
            Headers = headers, Body = body, ContentType = contentType,
        };
    }

    private ProtocolRequest Close(StreamModel stream)
    {
        var headers = new List<(string, string)> { ("Stream-Closed", "true") };
        if (random.Next(3) == 0)
        {
            var (epoch, seq) = stream.Producers.GetValueOrDefault("pa", (0, -1));
            headers.Add(("Producer-Id", "pa"));
            headers.Add(("Producer-Epoch", epoch.ToString(CultureInfo.InvariantCulture)));
            headers.Add(("Producer-Seq", (seq + 1).ToString(CultureInfo.InvariantCulture)));
        }

        return new ProtocolRequest(HttpMethod.Post, stream.Path, $"POST {stream.Path} (close){string.Concat(headers.Skip(1).Select(h => $" {h.Item1}: {h.Item2}"))}") { Headers = headers };
    }

    private static ProtocolRequest Delete(StreamModel stream) => new(HttpMethod.Delete, stream.Path, $"DELETE {stream.Path}");

    private static ProtocolRequest Head(StreamModel stream) => new(HttpMethod.Head, stream.Path, $"HEAD {stream.Path}");

    private ProtocolRequest Read(StreamModel stream)
    {
        var offset = random.Next(20) switch
        {
            < 6 => OffsetChoice.Start,
            < 14 => stream.Offsets.Count > 0 ? OffsetChoice.Known : OffsetChoice.Start,
            < 16 => OffsetChoice.Now,
            < 18 => OffsetChoice.BeyondTail,
            18 => OffsetChoice.Malformed,
            _ => OffsetChoice.Omitted,
        };
        var known = offset == OffsetChoice.Known ? stream.Offsets[random.Next(stream.Offsets.Count)] : null;

        // Live reads that would wait (an open stream at its tail) cost a long-poll timeout each: rarely.
        var atTail = offset is OffsetChoice.Now or OffsetChoice.BeyondTail || (known is not null && known == stream.Tail);
        var mode = random.Next(10) switch
        {
            < 7 => ReadMode.CatchUp,
            < 9 => atTail && !stream.Closed && random.Next(3) > 0 ? ReadMode.CatchUp : ReadMode.LongPoll,
            _ => ReadMode.Sse,
        };
        if (mode != ReadMode.CatchUp && offset == OffsetChoice.Omitted)
        {
            offset = OffsetChoice.Start;
        }

        return new ProtocolRequest(HttpMethod.Get, stream.Path, $"GET {stream.Path} offset={offset}{(known is null ? string.Empty : $"({known.Reference})")} {mode}")
        {
            Offset = offset, KnownOffset = known, Mode = mode,
        };
    }

    private byte[] Body(string contentType)
    {
        var n = Interlocked.Increment(ref counter);
        if (contentType.StartsWith("application/json", StringComparison.Ordinal))
        {
            return Encoding.UTF8.GetBytes(random.Next(20) switch
            {
                < 9 => $"{{\"n\":{n},\"s\":\"v{n}\"}}",
                < 15 => $"[{{\"n\":{n}}},{n + 1},\"t{n}\"]",
                15 => $"\"plain {n}\"",
                16 => "[]",
                17 => "{\"broken\":",
                18 => $"[[{n}],{{\"a\":[]}}]",
                _ => $"  {n}  ",
            });
        }

        if (contentType.StartsWith("text/", StringComparison.Ordinal))
        {
            return Encoding.UTF8.GetBytes($"line {n} {Pick(["", " spaced", "ünïcödé", "tab\tx"])}\n");
        }

        var bytes = new byte[random.Next(1, 24)];
        random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(T[] values) => values[random.Next(values.Length)];

    private static string Show(byte[] body) =>
        body.Any(b => b < 0x20 && b != '\n' && b != '\t' || b > 0x7e)
            ? $"<{body.Length} bytes>"
            : $"'{Encoding.ASCII.GetString(body).Replace("\n", "\\n", StringComparison.Ordinal)}'";
}

/// <summary>What the generator knows of one path, from the reference server's answers.</summary>
public sealed class StreamModel(string path)
{
    public string Path { get; } = path;

    public string? ContentType { get; set; }

    /// <summary>Every offset both servers named for this incarnation of the stream, in stream order.</summary>
    public List<OffsetPair> Offsets { get; } = [];

    public OffsetPair? Tail { get; set; }

    public bool Closed { get; set; }

    public Dictionary<string, (long Epoch, long Seq)> Producers { get; } = [];

    public int StreamSeq { get; set; }

    /// <summary>The stream was created anew (or deleted): its offsets and writer state start over.</summary>
    public void Reset(string? contentType)
    {
        ContentType = contentType;
        Offsets.Clear();
        Tail = null;
        Closed = false;
        Producers.Clear();
        StreamSeq = 0;
    }
}
