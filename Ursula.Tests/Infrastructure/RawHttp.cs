// Sends a request byte for byte over a socket: HttpClient normalizes "/a/../b" away before it
// leaves the process, so traversal attempts can only be tested this way.
using System.Net.Sockets;
using System.Text;

namespace Ursula.Tests.Infrastructure;

public static class RawHttp
{
    public static Task<(int Status, string Response)> SendAsync(Uri baseUrl, string requestHead, byte[]? body, CancellationToken cancellationToken)
    {
        // The head is the request line and any headers, each ending in CRLF; Host, Connection and
        // Content-Length are added here.
        var head = requestHead + $"Host: {baseUrl.Authority}\r\nConnection: close\r\nContent-Length: {body?.Length ?? 0}\r\n\r\n";
        return SendBytesAsync(baseUrl, [.. Encoding.ASCII.GetBytes(head), .. body ?? []], cancellationToken);
    }

    /// <summary>Sends exactly <paramref name="request"/> (head and body) and reads the answer until the server closes.</summary>
    public static async Task<(int Status, string Response)> SendBytesAsync(Uri baseUrl, byte[] request, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port, cancellationToken);
        await using var stream = client.GetStream();
        await stream.WriteAsync(request, cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(cancellationToken);
        return (StatusOf(response), response);
    }

    public static int StatusOf(string response) =>
        response.Length >= 12 && int.TryParse(response.AsSpan(9, 3), out var code) ? code : 0;
}
