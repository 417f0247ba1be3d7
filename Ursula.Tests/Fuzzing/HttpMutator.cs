// Seeded hostile HTTP/1.1 requests, byte for byte: broken request lines, methods and versions;
// paths and queries with invalid UTF-8, overlong and NUL percent-encodings, dot segments, raw high
// bytes and great length; protocol headers with junk, huge, negative, non-ASCII and control-byte
// values, oversized and numerous headers, conflicting framing headers; bodies that are random,
// invalid UTF-8 inside JSON, truncated against their Content-Length, or chunked with bad, overflowing,
// truncated or extended chunk sizes. Each request also says whether to send it slowly.
using System.Text;

namespace Ursula.Tests.Fuzzing;

public sealed record FuzzRequest(byte[] Bytes, string Description, bool Slow);

public sealed class HttpMutator(int seed, string host, IReadOnlyList<string> paths)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "GE T", "POST\0", "post", new string('P', 9000)];
    private static readonly string[] Versions = ["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/9.9", "HTTP/1.1x", ""];
    private static readonly string[] ProtocolHeaders =
    [
        "Content-Type", "Stream-TTL", "Stream-Expires-At", "Stream-Closed", "Stream-Seq", "Producer-Id", "Producer-Epoch", "Producer-Seq",
        "Stream-Forked-From", "Stream-Fork-Offset", "Stream-Fork-Sub-Offset", "If-None-Match", "Accept-Encoding", "Content-Encoding",
    ];

    private static readonly string[] HeaderValues =
    [
        "text/plain", "application/json", "application/octet-stream", "application/json; charset=latin1", "", " ", "true", "TRUE", "false",
        "0", "-1", "9007199254740992", "99999999999999999999999999", "1e9", "0x10", "3600", "2099-01-01T00:00:00Z", "not-a-date",
        "/fuzz/s0", "/fuzz/%FF", "../../etc/passwd", "0000000000000000_0000000000000000", "-1", "now", "*", "gzip", "br, deflate",
    ];

    private readonly Random random = new(seed);

    public FuzzRequest Next()
    {
        var what = new List<string>();
        var method = random.Next(10) < 8 ? Pick(["GET", "POST", "PUT", "POST", "HEAD", "DELETE"]) : Pick(Methods);
        var target = Target(what);
        var version = Pick(Versions);
        var head = new StringBuilder();
        var headBytes = new List<byte>();
        headBytes.AddRange(Encoding.Latin1.GetBytes($"{method} "));
        headBytes.AddRange(target);
        headBytes.AddRange(Encoding.Latin1.GetBytes($" {version}\r\nHost: {host}\r\n"));
        what.Insert(0, $"{Shorten(method)} {version}");

        for (var i = random.Next(5); i > 0; i--)
        {
            var name = Pick(ProtocolHeaders);
            var value = HeaderValue(out var shown);
            headBytes.AddRange(Encoding.Latin1.GetBytes($"{name}: "));
            headBytes.AddRange(value);
            headBytes.AddRange("\r\n"u8.ToArray());
            what.Add($"{name}: {shown}");
        }

        switch (random.Next(30))
        {
            case 0:
                headBytes.AddRange(Encoding.Latin1.GetBytes($"X-Big: {new string('a', 40_000)}\r\n"));
                what.Add("a 40 KB header");
                break;
            case 1:
                for (var i = 0; i < 300; i++)
                {
                    headBytes.AddRange(Encoding.Latin1.GetBytes($"X-H{i}: {i}\r\n"));
                }

                what.Add("300 headers");
                break;
            case 2:
                headBytes.AddRange("Content-Length: 5\r\nContent-Length: 7\r\n"u8.ToArray());
                what.Add("two Content-Lengths");
                break;
            case 3:
                headBytes.AddRange("Transfer-Encoding: gzip\r\n"u8.ToArray());
                what.Add("Transfer-Encoding: gzip");
                break;
            case 4:
                headBytes.AddRange("Bad Header Name: x\r\n"u8.ToArray());
                what.Add("a header name with spaces");
                break;
        }

        var body = Body(what, out var framing);
        headBytes.AddRange(Encoding.Latin1.GetBytes(framing));
        headBytes.AddRange("Connection: close\r\n\r\n"u8.ToArray());
        var slow = random.Next(25) == 0;
        if (slow)
        {
            what.Add("sent slowly");
        }

        return new FuzzRequest([.. headBytes, .. body], string.Join(" | ", what), slow);
    }

    private byte[] Target(List<string> what)
    {
        var path = Pick(paths.ToArray());
        var suffix = random.Next(16) switch
        {
            0 => "%FF%FE",
            1 => "%C0%AF",
            2 => "%00",
            3 => "/%2e%2e/%2e%2e/x",
            4 => "/../x",
            5 => "//x",
            6 => "/" + new string('a', 5000),
            7 => "%",
            8 => "%G1",
            9 => "/_ursula/../x",
            10 => "/%5F%5Fds/x",
            _ => string.Empty,
        };
        var query = random.Next(8) switch
        {
            0 => "?offset=-1",
            1 => "?offset=%FF",
            2 => "?offset=" + new string('9', 3000),
            3 => "?offset=now&live=sse",
            4 => "?offset=-1&live=long-poll&cursor=%00",
            5 => "?offset=0000000000000000_0000000000000000&offset=-1",
            6 => "?live=bogus",
            _ => string.Empty,
        };
        var bytes = Encoding.Latin1.GetBytes(path + suffix + query).ToList();
        if (random.Next(12) == 0)
        {
            // Raw bytes that are not UTF-8 inside the path.
            bytes.InsertRange(path.Length, new byte[] { 0xC3, 0x28, 0xFF, 0x80 });
            what.Add("raw invalid UTF-8 in the path");
        }

        what.Add($"target {Shorten(Encoding.Latin1.GetString(bytes.ToArray()))}");
        return [.. bytes];
    }

    private byte[] HeaderValue(out string shown)
    {
        switch (random.Next(12))
        {
            case 0:
                shown = "8 KB of x";
                return Encoding.Latin1.GetBytes(new string('x', 8192));
            case 1:
                shown = "bytes 0xFF 0xFE";
                return [0xFF, 0xFE, (byte)'a'];
            case 2:
                shown = "a control byte";
                return [(byte)'a', 0x01, (byte)'b'];
            default:
                var value = Pick(HeaderValues);
                shown = value;
                return Encoding.Latin1.GetBytes(value);
        }
    }

    private byte[] Body(List<string> what, out string framing)
    {
        byte[] content = random.Next(8) switch
        {
            0 => [],
            1 => [.. "{\"a\":\""u8, 0xFF, 0xFE, .. "\"}"u8],
            2 => Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, random.Next(1, 50))) + "]"),
            3 => Encoding.ASCII.GetBytes("[{\"deep\":" + new string('[', 300)),
            _ => RandomBytes(random.Next(1, 300)),
        };

        switch (random.Next(10))
        {
            case 0:
                framing = $"Content-Length: {content.Length + 100}\r\n";
                what.Add($"body of {content.Length} bytes, Content-Length {content.Length + 100} (truncated)");
                return content;
            case 1:
                framing = "Transfer-Encoding: chunked\r\n";
                what.Add("chunked body");
                return [.. Encoding.ASCII.GetBytes($"{content.Length:X}\r\n"), .. content, .. "\r\n0\r\n\r\n"u8.ToArray()];
            case 2:
                framing = "Transfer-Encoding: chunked\r\n";
                var size = Pick(["zz", "FFFFFFFFFFFFFFFFFFFF", "-1", "5;ext=1", "  3", "7fffffffffffffff"]);
                what.Add($"chunked body with chunk size '{size}'");
                return [.. Encoding.ASCII.GetBytes($"{size}\r\n"), .. content, .. "\r\n0\r\n\r\n"u8.ToArray()];
            case 3:
                framing = "Transfer-Encoding: chunked\r\n";
                what.Add("chunked body cut off mid-chunk");
                return [.. Encoding.ASCII.GetBytes($"{content.Length + 50:X}\r\n"), .. content];
            case 4:
                framing = $"Transfer-Encoding: chunked\r\nContent-Length: {content.Length}\r\n";
                what.Add("chunked and Content-Length");
                return [.. Encoding.ASCII.GetBytes($"{content.Length:X}\r\n"), .. content, .. "\r\n0\r\n\r\n"u8.ToArray()];
            default:
                framing = $"Content-Length: {content.Length}\r\n";
                what.Add($"body of {content.Length} bytes");
                return content;
        }
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(T[] values) => values[random.Next(values.Length)];

    private static string Shorten(string text)
    {
        var printable = new string(text.Select(c => c < 0x20 || c > 0x7e ? '?' : c).ToArray());
        return printable.Length > 60 ? $"{printable[..60]}...({printable.Length} chars)" : printable;
    }
}
