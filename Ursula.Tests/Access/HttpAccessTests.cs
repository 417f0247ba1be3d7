// Authentication and grants over HTTP from the attacker's side: every operation (GET, HEAD, POST,
// PUT, DELETE, SSE, long-poll) refuses a missing, unknown, expired, mis-signed, unsigned, wrong
// audience or issuer token with 401 and a wrongly scoped one with 403, both with WWW-Authenticate
// and a problem body; other spellings of a path do not escape a grant.
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

[Trait("Category", "Integration")]
public sealed class HttpAccessTests(AuthNodeFixture fixture) : IClassFixture<AuthNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "unknown API key", "key-nobody-ever-issued-0000" },
        { "expired API key", TestTokens.ExpiredKey },
        { "expired JWT", TestTokens.Jwt(["admin:/**"], lifetime: TimeSpan.FromMinutes(-5)) },
        { "JWT signed with another secret", TestTokens.Jwt(["admin:/**"], secret: "another-secret-that-is-also-forty-bytes!") },
        { "JWT for another audience", TestTokens.Jwt(["admin:/**"], audience: "someone-else") },
        { "JWT from another issuer", TestTokens.Jwt(["admin:/**"], issuer: "https://evil.example") },
        { "unsigned JWT", TestTokens.UnsignedJwt(["admin:/**"]) },
        { "cluster secret", "CLUSTER" },
    };

    public static TheoryData<string, string> Operations() => new()
    {
        { "GET", "" },
        { "HEAD", "" },
        { "GET", "?offset=-1&live=sse" },
        { "GET", "?offset=-1&live=long-poll" },
        { "POST", "" },
        { "PUT", "" },
        { "DELETE", "" },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_operation_without_a_token_is_answered_401_with_WWW_Authenticate(string method, string query)
    {
        var path = await CreateAsync();
        using var anonymous = fixture.ClientWith(null);
        using var response = await anonymous.SendAsync(Request(method, path + query), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer realm=\"ursula\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        if (method != "HEAD")
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_answered_401_invalid_token_on_reads_writes_and_live_reads(string kind, string token)
    {
        token = token == "CLUSTER" ? fixture.ClusterSecret : token;
        var path = await CreateAsync();
        using var client = fixture.ClientWith(token);
        foreach (var (method, query) in new[] { ("GET", ""), ("POST", ""), ("GET", "?offset=-1&live=sse"), ("GET", "?offset=-1&live=long-poll"), ("DELETE", "") })
        {
            using var response = await client.SendAsync(Request(method, path + query), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{kind}: {method} {query} got {(int)response.StatusCode}");
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var admin = fixture.ClientWith(TestTokens.AdminAll);
        Assert.Equal(string.Empty, await admin.ReadAllAsync(path, Ct));
    }

    [Fact]
    public async Task Each_level_allows_its_operations_and_no_more()
    {
        var path = await CreateAsync();
        using var reader = fixture.ClientWith(TestTokens.ReaderA);
        using var writer = fixture.ClientWith(TestTokens.WriterA);
        using var admin = fixture.ClientWith(TestTokens.AdminA);

        await AssertForbiddenAsync(reader, "POST", path, "write");
        await AssertForbiddenAsync(reader, "PUT", path + "-new", "write");
        Assert.Equal(HttpStatusCode.OK, (await reader.SendAsync(Request("GET", path + "?offset=-1"), Ct)).StatusCode);

        using (var appended = await writer.AppendAsync(path, "by the writer", cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, appended.StatusCode);
        }

        Assert.Equal("by the writer", await reader.ReadAllAsync(path, Ct));
        await AssertForbiddenAsync(writer, "DELETE", path, "admin");
        using var deleted = await admin.SendAsync(Request("DELETE", path), Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task A_token_for_one_tenant_is_refused_403_on_another_over_every_surface_of_HTTP()
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var other = $"/tenant-b/{Guid.NewGuid():N}";
        (await adminAll.CreateAsync(other, cancellationToken: Ct)).EnsureSuccessStatusCode();
        foreach (var token in new[] { TestTokens.AdminA, TestTokens.Jwt(["admin:/tenant-a/**"]), TestTokens.Jwt(["admin:/tenant-a/**"], spaceSeparated: true) })
        {
            using var client = fixture.ClientWith(token);
            foreach (var (method, query) in new[] { ("GET", ""), ("HEAD", ""), ("GET", "?offset=-1&live=sse"), ("GET", "?offset=-1&live=long-poll"), ("POST", ""), ("PUT", ""), ("DELETE", "") })
            {
                using var response = await client.SendAsync(Request(method, other + query), Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {query} got {(int)response.StatusCode}");
                Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            }
        }

        using var noGrants = fixture.ClientWith(TestTokens.NoGrants);
        await AssertForbiddenAsync(noGrants, "GET", other, "read");
    }

    [Fact]
    public async Task A_JWT_with_grants_works_like_a_key_with_them()
    {
        using var client = fixture.ClientWith(TestTokens.Jwt(["write:/tenant-a/jwt/*"]));
        var path = $"/tenant-a/jwt/{Guid.NewGuid():N}";
        (await client.CreateAsync(path, body: "hello", cancellationToken: Ct)).EnsureSuccessStatusCode();
        Assert.Equal("hello", await client.ReadAllAsync(path, Ct));

        // "*" is one segment: a deeper path is outside the grant.
        await AssertForbiddenAsync(client, "PUT", $"/tenant-a/jwt/{Guid.NewGuid():N}/deeper", "write");
    }

    [Theory]
    [InlineData("/tenant-a/../tenant-b/{0}")]
    [InlineData("/tenant-a/%2e%2e/tenant-b/{0}")]
    [InlineData("/tenant-a/%2E%2E/tenant-b/{0}")]
    [InlineData("/tenant-a/./../tenant-b/{0}")]
    [InlineData("/tenant-a%2F..%2Ftenant-b/{0}")]
    [InlineData("/tenant-a/x/..%2F..%2Ftenant-b/{0}")]
    [InlineData("/tenant-a%2f%2e%2e%2ftenant-b/{0}")]
    [InlineData("//tenant-b/{0}")]
    [InlineData("/tenant-a//../tenant-b/{0}")]
    [InlineData("/TENANT-B/{0}")]
    [InlineData("/Tenant-A/../tenant-b/{0}")]
    [InlineData("/tenant-a/..;/tenant-b/{0}")]
    public async Task Other_spellings_of_a_path_do_not_escape_a_grant(string spelling)
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var name = Guid.NewGuid().ToString("N");
        var victim = $"/tenant-b/{name}";
        (await adminAll.CreateAsync(victim, body: "secret", cancellationToken: Ct)).EnsureSuccessStatusCode();
        var target = string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, name);
        foreach (var (method, body) in new[] { ("GET", ""), ("POST", "injected"), ("PUT", ""), ("DELETE", "") })
        {
            var head = $"{method} {target} HTTP/1.1\r\nAuthorization: Bearer {TestTokens.AdminA}\r\nContent-Type: text/plain\r\n";
            var (status, response) = await RawHttp.SendAsync(fixture.Node.BaseUrl, head, System.Text.Encoding.UTF8.GetBytes(body), Ct);
            // "/tenant-a/..;/..." is no traversal but a literal stream under /tenant-a, which the key may use.
            var literalUnderA = target.StartsWith("/tenant-a/", StringComparison.Ordinal) && !target.Contains('%', StringComparison.Ordinal) && !target.Split('/').Contains("..");
            Assert.True(status is 400 or 403 or 404 || literalUnderA, $"{method} {target} got {status}:\n{response}");
            Assert.DoesNotContain("secret", response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..], StringComparison.Ordinal);
        }

        Assert.Equal("secret", await adminAll.ReadAllAsync(victim, Ct));
    }

    [Fact]
    public async Task Forking_needs_read_on_the_source_as_well_as_write_on_the_fork()
    {
        using var adminAll = fixture.ClientWith(TestTokens.AdminAll);
        var source = $"/tenant-b/{Guid.NewGuid():N}";
        (await adminAll.CreateAsync(source, body: "tenant b's data", cancellationToken: Ct)).EnsureSuccessStatusCode();
        using var writer = fixture.ClientWith(TestTokens.WriterA);
        using var fork = await writer.CreateAsync($"/tenant-a/{Guid.NewGuid():N}", cancellationToken: Ct, headers: ("Stream-Forked-From", source));
        Assert.Equal(HttpStatusCode.Forbidden, fork.StatusCode);
        Assert.Contains("forking needs read on " + source, await fork.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_tokens_do_not_open_the_cluster_endpoints()
    {
        foreach (var path in new[] { "/_ursula/internal/submit", "/_ursula/admin/members", "/_ursula/raft" })
        {
            foreach (var token in new[] { TestTokens.AdminAll, TestTokens.Jwt(["admin:/**"]) })
            {
                using var client = fixture.ClientWith(token);
                using var response = await client.PostAsync(path, new ByteArrayContent([1, 2, 3]), Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path} got {(int)response.StatusCode}");
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
            }
        }
    }

    [Fact]
    public async Task Health_and_the_preflight_need_no_token()
    {
        using var anonymous = fixture.ClientWith(null);
        using var health = await anonymous.GetAsync("/_ursula/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var preflight = await anonymous.SendAsync(Request("OPTIONS", "/tenant-a/x"), Ct);
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
    }

    [Fact]
    public async Task The_subscriptions_API_needs_read_to_look_and_admin_on_the_whole_subtree_to_manage()
    {
        var id = Guid.NewGuid().ToString("N");
        using var anonymous = fixture.ClientWith(null);
        using var reader = fixture.ClientWith(TestTokens.ReaderA);
        using var writer = fixture.ClientWith(TestTokens.WriterA);
        using var admin = fixture.ClientWith(TestTokens.AdminA);
        using var narrow = fixture.ClientWith(TestTokens.Jwt(["admin:/tenant-a/x"]));
        var subscription = $"/tenant-a/__ds/subscriptions/{id}";

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request("GET", subscription), Ct)).StatusCode);
        await AssertDecisionAsync(reader, "GET", subscription, allowed: true);
        await AssertDecisionAsync(reader, "PUT", subscription, allowed: false);
        await AssertDecisionAsync(writer, "PUT", subscription, allowed: false);
        await AssertDecisionAsync(writer, "POST", subscription + "/claim", allowed: true);
        await AssertDecisionAsync(reader, "POST", subscription + "/claim", allowed: false);
        await AssertDecisionAsync(admin, "PUT", subscription, allowed: true);
        await AssertDecisionAsync(admin, "DELETE", subscription, allowed: true);
        await AssertDecisionAsync(admin, "POST", subscription + "/streams", allowed: true);

        // A grant on one stream does not cover a subscription over its parent; tenant-a's admin
        // does not cover the root or another tenant.
        await AssertDecisionAsync(narrow, "PUT", subscription, allowed: false);
        await AssertDecisionAsync(admin, "PUT", $"/__ds/subscriptions/{id}", allowed: false);
        await AssertDecisionAsync(admin, "PUT", $"/tenant-b/__ds/subscriptions/{id}", allowed: false);
        await AssertDecisionAsync(admin, "PUT", $"/tenant-a/../__ds/subscriptions/{id}", allowed: false);

        // Callbacks carry the subscription's own tokens, which this layer leaves to the subscription API.
        using var callback = await anonymous.SendAsync(Request("POST", subscription + "/callback"), Ct);
        Assert.DoesNotContain("realm=\"ursula\"", callback.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static async Task AssertDecisionAsync(HttpClient client, string method, string path, bool allowed)
    {
        using var response = await client.SendAsync(Request(method, path), Ct);
        if (allowed)
        {
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path} got {(int)response.StatusCode}");
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} got {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_default_character_set_refuses_invisible_characters_in_paths()
    {
        using var admin = fixture.ClientWith(TestTokens.AdminA);
        using var response = await admin.CreateAsync("/tenant-a/pay%E2%80%8Bment", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var nbsp = await admin.CreateAsync("/tenant-a/no%C2%A0break", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.BadRequest, nbsp.StatusCode);
        using var fine = await admin.CreateAsync($"/tenant-a/caf%C3%A9 au lait-{Guid.NewGuid():N}", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, fine.StatusCode);
    }

    [Fact]
    public async Task A_changed_key_file_is_read_again_and_a_broken_one_leaves_the_keys_in_force()
    {
        const string added = "key-added-while-running-07";
        var original = await File.ReadAllTextAsync(fixture.KeyFile, Ct);
        try
        {
            using var newcomer = fixture.ClientWith(added);
            Assert.Equal(HttpStatusCode.Unauthorized, (await newcomer.GetAsync("/tenant-a/x", Ct)).StatusCode);
            var json = System.Text.Json.Nodes.JsonNode.Parse(original)!;
            json["keys"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["id"] = "added", ["key"] = added, ["grants"] = new System.Text.Json.Nodes.JsonArray("read:/tenant-a/**") });
            await File.WriteAllTextAsync(fixture.KeyFile, json.ToJsonString(), Ct);
            File.SetLastWriteTimeUtc(fixture.KeyFile, DateTime.UtcNow.AddSeconds(1));
            await WaitForStatusAsync(newcomer, HttpStatusCode.NotFound);

            await File.WriteAllTextAsync(fixture.KeyFile, "{ not json", Ct);
            File.SetLastWriteTimeUtc(fixture.KeyFile, DateTime.UtcNow.AddSeconds(2));
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            Assert.Equal(HttpStatusCode.NotFound, (await newcomer.GetAsync("/tenant-a/x", Ct)).StatusCode);

            // The console logger writes asynchronously: the line may arrive a moment after the answer.
            var logged = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!fixture.Node.Output.Contains("could not be read", StringComparison.Ordinal) && DateTime.UtcNow < logged)
            {
                await Task.Delay(100, Ct);
            }

            Assert.Contains("could not be read", fixture.Node.Output, StringComparison.Ordinal);
        }
        finally
        {
            await File.WriteAllTextAsync(fixture.KeyFile, original, CancellationToken.None);
            File.SetLastWriteTimeUtc(fixture.KeyFile, DateTime.UtcNow.AddSeconds(3));
        }

        using var reader = fixture.ClientWith(TestTokens.ReaderA);
        using var removed = fixture.ClientWith(added);
        await WaitForStatusAsync(removed, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/tenant-a/x", Ct)).StatusCode);
    }

    private static async Task WaitForStatusAsync(HttpClient client, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await client.GetAsync("/tenant-a/x", Ct);
            if (response.StatusCode == status)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"still {(int)response.StatusCode}, not {(int)status}, 10 s after the key file changed");
            await Task.Delay(200, Ct);
        }
    }

    private async Task<string> CreateAsync()
    {
        var path = $"/tenant-a/{Guid.NewGuid():N}";
        using var admin = fixture.ClientWith(TestTokens.AdminA);
        (await admin.CreateAsync(path, cancellationToken: Ct)).EnsureSuccessStatusCode();
        return path;
    }

    private static HttpRequestMessage Request(string method, string target)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), target);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("data", System.Text.Encoding.UTF8, "text/plain");
        }

        return request;
    }

    private static async Task AssertForbiddenAsync(HttpClient client, string method, string path, string level)
    {
        using var response = await client.SendAsync(Request(method, path), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains($"needs {level} on {path}", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
