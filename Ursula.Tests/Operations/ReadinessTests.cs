// /_ursula/health/ready follows what the node can do: 200 while PostgreSQL answers, 503 (with
// Retry-After and the reason) while its PostgreSQL is stopped, 200 again once it is back;
// /_ursula/health/live answers throughout.
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"ursula-ready-{Guid.NewGuid().ToString("N")[..8]}");
    private readonly StoppablePostgres server;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public ReadinessTests()
    {
        server = new StoppablePostgres(Path.Combine(root, "pg"));
    }

    public async ValueTask InitializeAsync() => await server.StartAsync(CancellationToken.None);

    [Fact]
    public async Task Readiness_flips_to_503_while_PostgreSQL_is_down_and_back_once_it_returns()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await server.CreateDatabaseAsync($"ready_{Guid.NewGuid().ToString("N")[..8]}", ct);
        await using var node = NodeProcess.Start(FreePort.Next(), Path.Combine(root, "node"), database);
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, "/_ursula/health/ready", ct));

        await server.StopAsync(ct);
        var (down, body, retryAfter) = await WaitForAsync(node, HttpStatusCode.ServiceUnavailable, ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down);
        Assert.Contains("PostgreSQL unreachable", body, StringComparison.Ordinal);
        Assert.NotNull(retryAfter);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, "/_ursula/health/live", ct));

        await server.StartAsync(ct);
        var (up, _, _) = await WaitForAsync(node, HttpStatusCode.OK, ct);
        Assert.Equal(HttpStatusCode.OK, up);
    }

    private async Task<HttpStatusCode> StatusAsync(NodeProcess node, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(node.BaseUrl, path), ct);
        return response.StatusCode;
    }

    private async Task<(HttpStatusCode Status, string Body, string? RetryAfter)> WaitForAsync(NodeProcess node, HttpStatusCode wanted, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await http.GetAsync(new Uri(node.BaseUrl, "/_ursula/health/ready"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == wanted || DateTime.UtcNow > deadline)
            {
                return (response.StatusCode, body, response.Headers.RetryAfter?.ToString());
            }

            await Task.Delay(100, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
