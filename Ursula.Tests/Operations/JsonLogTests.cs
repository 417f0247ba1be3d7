// --log-format json: every line the node writes is one JSON object, and what is logged while a
// request runs carries that request's id (the X-Request-Id it was answered with) in its scopes.
using System.Text.Json;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class JsonLogTests(PostgresFixture postgres)
{
    [Fact]
    public async Task JSON_log_lines_parse_and_carry_the_request_id_in_their_scopes()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync(nameof(JsonLogTests), ct);
        var dataDir = Path.Combine(Path.GetTempPath(), $"ursula-jsonlog-{Guid.NewGuid().ToString("N")[..8]}");
        var environment = new Dictionary<string, string> { ["Logging__LogLevel__Microsoft.AspNetCore.Routing.EndpointMiddleware"] = "Information" };
        await using (var node = NodeProcess.Start(FreePort.Next(), dataDir, database, ["--log-format", "json"], environment))
        {
            await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
            using var client = new HttpClient { BaseAddress = node.BaseUrl };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/_ursula/health/live");
            request.Headers.TryAddWithoutValidation("X-Request-Id", "json-log-test-42");
            using var response = await client.SendAsync(request, ct);
            Assert.Equal("json-log-test-42", Assert.Single(response.Headers.GetValues("X-Request-Id")));

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!node.Output.Contains("json-log-test-42", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct);
            }

            var lines = node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.NotEmpty(lines);
            var parsed = lines.Select(l => JsonDocument.Parse(l)).ToList();
            Assert.Contains(parsed, d => d.RootElement.GetProperty("EventId").GetInt32() == 1400);
            var scoped = parsed.Single(d => d.RootElement.GetRawText().Contains("json-log-test-42", StringComparison.Ordinal)
                && d.RootElement.GetProperty("Category").GetString() == "Microsoft.AspNetCore.Routing.EndpointMiddleware"
                && d.RootElement.GetProperty("Message").GetString()!.StartsWith("Executing", StringComparison.Ordinal));
            Assert.Contains(scoped.RootElement.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("RequestId", out var id) && id.GetString() == "json-log-test-42");
            foreach (var d in parsed)
            {
                d.Dispose();
            }
        }

        Directory.Delete(dataDir, recursive: true);
    }
}
