// CORS by Auth:AllowedOrigins and Host filtering against DNS rebinding, on a node with
// authentication (only the listed origin) and on the development default (any origin), and the
// development default's refusal to listen beyond loopback without --insecure.
using System.Net;
using System.Text;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

[Trait("Category", "Integration")]
public sealed class OriginAndHostTests(AuthNodeFixture fixture) : IClassFixture<AuthNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_authentication_only_the_listed_origin_gets_CORS_headers()
    {
        using var client = fixture.ClientWith(TestTokens.AdminAll);
        var path = $"/tenant-a/{Guid.NewGuid():N}";
        (await client.CreateAsync(path, cancellationToken: Ct)).EnsureSuccessStatusCode();
        foreach (var (origin, allowed) in new[] { (AuthNodeFixture.AllowedOrigin, true), ("https://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            using var answer = await client.SendAsync(preflight, Ct);
            Assert.Equal(allowed ? origin : null, answer.Header("Access-Control-Allow-Origin"));

            using var read = new HttpRequestMessage(HttpMethod.Get, path);
            read.Headers.Add("Origin", origin);
            using var response = await client.SendAsync(read, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(allowed ? origin : null, response.Header("Access-Control-Allow-Origin"));
        }

        // The hub follows the same list: a page of another site may not connect.
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/_ursula/hub/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Origin", "https://evil.example");
        using var refused = await client.SendAsync(negotiate, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:{port}")]
    [InlineData("127.0.0.1.evil.example")]
    public async Task A_loopback_node_refuses_requests_for_another_host(string host)
    {
        host = host.Replace("{port}", fixture.Node.BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var request = $"GET /_ursula/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";
        var (status, _) = await RawHttp.SendBytesAsync(fixture.Node.BaseUrl, Encoding.ASCII.GetBytes(request), Ct);
        Assert.Equal(400, status);
        var own = $"GET /_ursula/health HTTP/1.1\r\nHost: localhost:{fixture.Node.BaseUrl.Port}\r\nConnection: close\r\n\r\n";
        Assert.Equal(200, (await RawHttp.SendBytesAsync(fixture.Node.BaseUrl, Encoding.ASCII.GetBytes(own), Ct)).Status);
    }
}

[Trait("Category", "Integration")]
public sealed class DevelopmentDefaultTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_authentication_any_origin_is_allowed_and_the_start_says_so()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_ursula/health");
        var path = $"/dev/{Guid.NewGuid():N}";
        (await fixture.Client.CreateAsync(path, cancellationToken: Ct)).EnsureSuccessStatusCode();
        using var read = new HttpRequestMessage(HttpMethod.Get, path);
        read.Headers.Add("Origin", "https://anywhere.example");
        using var response = await fixture.Client.SendAsync(read, Ct);
        Assert.Equal("*", response.Header("Access-Control-Allow-Origin"));
        Assert.Contains("AUTHENTICATION IS OFF", fixture.Node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_development_node_still_refuses_a_rebound_host_name()
    {
        var request = $"GET /_ursula/streams HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
        var (status, _) = await RawHttp.SendBytesAsync(fixture.Node.BaseUrl, Encoding.ASCII.GetBytes(request), Ct);
        Assert.Equal(400, status);
    }

    [Theory]
    [InlineData("--jwt-secret|too-short|--jwt-audience|a|--jwt-issuer|i", "Auth:JwtSecret (--jwt-secret) must be at least 32 bytes")]
    [InlineData("--jwt-secret|" + TestTokens.Secret + "|--jwt-issuer|i", "Auth:JwtAudience (--jwt-audience) is required")]
    [InlineData("--jwks-url|http://keys.example/jwks.json|--jwt-audience|a|--jwt-issuer|i", "Auth:JwksUrl (--jwks-url) must be an https URL")]
    [InlineData("--keys-file|/nonexistent/keys.json", "Auth:KeysFile (--keys-file) /nonexistent/keys.json does not exist")]
    [InlineData("--keys-file|BROKEN", "key 1: \"id\" is missing or not unique")]
    [InlineData("--keys-file|WEAK", "give either \"sha256\" or \"key\" (at least 16 characters)")]
    [InlineData("--keys-file|BADGRANT", "grant \"everything\" must start with read:, write: or admin:")]
    public async Task Bad_authentication_options_stop_the_node_with_a_message_naming_the_option(string arguments, string message)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"ursula-badauth-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDir);
        try
        {
            var files = new Dictionary<string, string>
            {
                ["BROKEN"] = "{\"keys\":[{\"key\":\"a-key-of-sixteen-chars\",\"grants\":[]}]}",
                ["WEAK"] = "{\"keys\":[{\"id\":\"weak\",\"key\":\"short\",\"grants\":[]}]}",
                ["BADGRANT"] = "{\"keys\":[{\"id\":\"x\",\"key\":\"a-key-of-sixteen-chars\",\"grants\":[\"everything\"]}]}",
            };
            var args = new List<string> { "serve", "--data-dir", dataDir, "--postgres", "Host=/nonexistent" };
            foreach (var argument in arguments.Split('|'))
            {
                if (files.TryGetValue(argument, out var content))
                {
                    var file = Path.Combine(dataDir, argument + ".json");
                    await File.WriteAllTextAsync(file, content, Ct);
                    args.Add(file);
                }
                else
                {
                    args.Add(argument);
                }
            }

            var (exit, output) = await NodeProcess.RunToExitAsync(args, TimeSpan.FromSeconds(60), Ct);
            Assert.Equal(2, exit);
            Assert.Contains(message, output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Without_authentication_a_node_will_not_listen_beyond_loopback_unless_insecure()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"ursula-insecure-{Guid.NewGuid():N}");
        try
        {
            var (exit, output) = await NodeProcess.RunToExitAsync(
                ["serve", "--listen", $"0.0.0.0:{FreePort.Next()}", "--data-dir", dataDir, "--postgres", "Host=/nonexistent"], TimeSpan.FromSeconds(60), Ct);
            Assert.Equal(2, exit);
            Assert.Contains("--insecure", output, StringComparison.Ordinal);
            Assert.Contains("beyond loopback", output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }
}
