using System.Net;

namespace Ursula.Bench.Http;

/// <summary>
/// HttpClient construction for load generation: HTTP/1.1 only, no Expect: 100-continue, no proxy,
/// no cookies, no decompression, and enough pooled connections for the requested concurrency.
/// </summary>
public static class BenchHttp
{
    public static HttpClient Create(int maxConnections, TimeSpan timeout)
    {
        var client = new HttpClient(CreateHandler(maxConnections), disposeHandler: true)
        {
            Timeout = timeout <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        client.DefaultRequestHeaders.ExpectContinue = false;
        return client;
    }

    /// <summary>The handler alone, e.g. for WebSocket connections (ClientWebSocket.ConnectAsync takes an invoker).</summary>
    public static SocketsHttpHandler CreateHandler(int maxConnections) =>
        new()
        {
            MaxConnectionsPerServer = Math.Max(1, maxConnections),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            Expect100ContinueTimeout = TimeSpan.Zero,
        };

    /// <summary>Joins a base URL and relative path segments with single slashes.</summary>
    public static string Join(string baseUrl, params string[] segments)
    {
        var url = baseUrl.TrimEnd('/');
        foreach (var segment in segments)
        {
            url += "/" + segment.Trim('/');
        }

        return url;
    }

    /// <summary>A short id that keeps stream names unique across runs against the same server.</summary>
    public static string NewRunId() =>
        $"r{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
}
