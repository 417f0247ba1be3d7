using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Ursula.Bench.Http;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends requests encoded once up front and reads only
/// what it needs from the answer: the status code, and the body's length (Content-Length or
/// chunked) to step over it. It exists because HttpClient costs the append verb about 75 µs of
/// CPU per request, enough to load a 2-core machine as much as the server it measures; this
/// costs a fraction of that (the verb reports its CPU per append in every run).
/// One request at a time; not thread-safe.
/// </summary>
public sealed class RawHttpConnection(string host, int port) : IDisposable
{
    private const int BufferSize = 16 * 1024;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly byte[] buffer = new byte[BufferSize];
    private Socket? socket;
    private int start;
    private int end;
    private long busySince;

    /// <summary>Stopwatch timestamp at which the request in flight was sent; 0 when idle.</summary>
    public long BusySince => Volatile.Read(ref busySince);

    /// <summary>A connection to the server of <paramref name="url"/> (host and port only).</summary>
    public static RawHttpConnection To(Uri url) => new(url.Host, url.Port);

    /// <summary>Encodes a POST with a fixed body, ready to be sent any number of times.</summary>
    public static byte[] EncodePost(Uri url, ReadOnlySpan<byte> body, string contentType)
    {
        var head = $"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\n"
            + $"Content-Type: {contentType}\r\nContent-Length: {body.Length}\r\n\r\n";
        var bytes = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        var written = Encoding.ASCII.GetBytes(head, bytes);
        body.CopyTo(bytes.AsSpan(written));
        return bytes;
    }

    /// <summary>
    /// Sends one encoded request (connecting first if needed) and returns the answer's status code
    /// once its whole body has been read. On any failure the connection is closed, so the next call
    /// starts on a fresh one.
    /// </summary>
    public async ValueTask<int> SendAsync(ReadOnlyMemory<byte> request, CancellationToken ct)
    {
        Volatile.Write(ref busySince, Stopwatch.GetTimestamp());
        try
        {
            socket ??= await ConnectAsync(ct);
            while (!request.IsEmpty)
            {
                var sent = await socket.SendAsync(request, SocketFlags.None, ct);
                request = request[sent..];
            }

            return await ReadResponseAsync(socket, ct);
        }
        catch
        {
            Close();
            throw;
        }
        finally
        {
            Volatile.Write(ref busySince, 0);
        }
    }

    /// <summary>Closes the socket (a request in flight then fails); the next request reconnects.</summary>
    public void Close()
    {
        var s = Interlocked.Exchange(ref socket, null);
        s?.Dispose();
        start = end = 0;
    }

    public void Dispose() => Close();

    private async ValueTask<Socket> ConnectAsync(CancellationToken ct)
    {
        var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await s.ConnectAsync(host, port, ct);
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    private async ValueTask<int> ReadResponseAsync(Socket s, CancellationToken ct)
    {
        int headerLength;
        while ((headerLength = buffer.AsSpan(start, end - start).IndexOf(HeaderEnd)) < 0)
        {
            if (start == 0 && end == buffer.Length)
            {
                throw new InvalidDataException($"response headers longer than {BufferSize} bytes");
            }

            await FillAsync(s, ct);
        }

        var head = ParseHead(buffer.AsSpan(start, headerLength));
        start += headerLength + HeaderEnd.Length;
        if (head.Chunked)
        {
            await SkipChunkedAsync(s, ct);
        }
        else
        {
            await SkipAsync(s, head.ContentLength, ct);
        }

        if (head.Close)
        {
            Close();
        }

        return head.Status;
    }

    private readonly record struct Head(int Status, long ContentLength, bool Chunked, bool Close);

    private static Head ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        // "HTTP/1.1 204 No Content"
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8)
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var consumed) || consumed != 3)
        {
            throw new InvalidDataException($"not an HTTP/1.x status line: '{Encoding.ASCII.GetString(statusLine)}'");
        }

        long length = 0;
        bool chunked = false, close = false;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOf("\r\n"u8);
            var line = next < 0 ? rest : rest[..next];
            rest = next < 0 ? [] : rest[(next + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out length, out var used) || used != value.Length || length < 0)
                {
                    throw new InvalidDataException("bad Content-Length");
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
        }

        // 1xx, 204 and 304 answers have no body whatever their headers say.
        if (status is < 200 or 204 or 304)
        {
            length = 0;
            chunked = false;
        }

        return new Head(status, length, chunked, close);
    }

    private async ValueTask SkipAsync(Socket s, long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (start == end)
            {
                await FillAsync(s, ct);
            }

            var take = (int)Math.Min(count, end - start);
            start += take;
            count -= take;
        }
    }

    private async ValueTask SkipChunkedAsync(Socket s, CancellationToken ct)
    {
        while (true)
        {
            var line = await ReadLineAsync(s, ct);
            var semicolon = line.IndexOf(';');
            var sizeText = (semicolon < 0 ? line : line[..semicolon]).Trim();
            if (!long.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size < 0)
            {
                throw new InvalidDataException($"bad chunk size '{line}'");
            }

            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while ((await ReadLineAsync(s, ct)).Length > 0)
                {
                }

                return;
            }

            await SkipAsync(s, size, ct);
            if ((await ReadLineAsync(s, ct)).Length != 0)
            {
                throw new InvalidDataException("chunk not followed by CRLF");
            }
        }
    }

    private async ValueTask<string> ReadLineAsync(Socket s, CancellationToken ct)
    {
        int at;
        while ((at = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8)) < 0)
        {
            if (start == 0 && end == buffer.Length)
            {
                throw new InvalidDataException("line too long");
            }

            await FillAsync(s, ct);
        }

        var line = Encoding.ASCII.GetString(buffer, start, at);
        start += at + 2;
        return line;
    }

    /// <summary>Reads more bytes after the unread ones (moved to the front first); throws on end of stream.</summary>
    private async ValueTask FillAsync(Socket s, CancellationToken ct)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }

        var read = await s.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, ct);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        end += read;
    }
}
