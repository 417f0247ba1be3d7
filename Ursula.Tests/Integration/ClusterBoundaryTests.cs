// The trust boundary, against real nodes: every spelling of a cluster endpoint (Raft, forwarding,
// admin) refuses a request without the secret, on a node that generated its own secret and on one
// given --cluster-secret; requests that would brick or disturb the node change nothing; the
// reserved prefix is never a stream, and the server's endpoints carry no CORS headers.
using System.Net;
using System.Text;
using DotNext.Net.Cluster;
using Microsoft.AspNetCore.Connections;
using Ursula.Server.State.Commands;
using Ursula.Tests.Cluster;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

public sealed class SecretNodeFixture(PostgresFixture postgres) : SingleNodeFixture(postgres)
{
    protected override string[] ExtraArguments => ["--cluster-secret", "boundary-test-secret-0123456789"];
}

public abstract class ClusterBoundaryTests(SingleNodeFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected SingleNodeFixture Fixture => fixture;

    private HttpClient Client => fixture.Client;

    /// <summary>Spellings of one cluster endpoint that routing (or a lenient reading) takes to it.</summary>
    public static IEnumerable<string> Spellings(string area, string rest)
    {
        var upper = area.ToUpperInvariant();
        var title = char.ToUpperInvariant(area[0]) + area[1..];
        var encodedFirst = $"%{(int)area[0]:x2}{area[1..]}";
        return
        [
            $"/_ursula/{area}{rest}",
            $"/_URSULA/{upper}{rest.ToUpperInvariant()}",
            $"/_Ursula/{title}{rest}",
            $"/_ursula/{upper}{rest}",
            $"/_ursula/./{area}{rest}",
            $"/_ursula/x/../{area}{rest}",
            $"/_ursula/%2e/{area}{rest}",
            $"/_ursula/x/%2E%2E/{area}{rest}",
            $"/%5Fursula/{area}{rest}",
            $"/%5fURSULA/{area}{rest}",
            $"/_ursula/{encodedFirst}{rest}",
            $"/_ursula%2F{area}{rest}",
            $"/_ursula%2f{area}{rest}",
            $"//_ursula/{area}{rest}",
            $"/_ursula//{area}{rest}",
            $"/_ursula/{area}{rest}/",
            $"/_ursula/{area}/{rest.TrimStart('/')}/",
            $"/_ursula/{area}//{rest.TrimStart('/')}",
        ];
    }

    [Fact]
    public async Task Every_spelling_of_every_cluster_endpoint_refuses_a_request_without_the_secret_and_changes_nothing()
    {
        var before = await StatusAsync();
        Assert.True(before.IsLeader, before.ToString());
        var self = fixture.Node.BaseUrl.ToString().TrimEnd('/');
        var resign = ResignHeaders();
        var forged = ForgedSubmitBody();
        var refused = new List<string>();
        var failures = new List<string>();

        foreach (var target in Spellings("admin", "/members"))
        {
            await ExpectRefusedAsync($"DELETE {target}?url={Uri.EscapeDataString(self)} HTTP/1.1\r\n", null);
            await ExpectRefusedAsync($"POST {target}?url={Uri.EscapeDataString("http://127.0.0.1:1")} HTTP/1.1\r\n", null);
            await ExpectRefusedAsync($"GET {target} HTTP/1.1\r\n", null);
        }

        foreach (var target in Spellings("raft", string.Empty))
        {
            await ExpectRefusedAsync($"POST {target} HTTP/1.1\r\n{resign}", null);
        }

        foreach (var target in Spellings("internal", "/submit"))
        {
            await ExpectRefusedAsync($"POST {target} HTTP/1.1\r\nContent-Type: application/x-ursula-commands\r\n", forged);
        }

        // Credentials that are not the cluster secret open nothing either.
        foreach (var authorization in new[] { "Bearer ", "Bearer wrong", "Basic dXJzdWxhOnVyc3VsYQ==", $"bearer {fixture.ClusterSecret}x" })
        {
            await ExpectRefusedAsync($"DELETE /_ursula/admin/members?url={Uri.EscapeDataString(self)} HTTP/1.1\r\nAuthorization: {authorization}\r\n", null);
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(refused.Count >= 90, $"only {refused.Count} attempts");

        var after = await StatusAsync();
        Assert.True(after.IsLeader && after.Term == before.Term, $"before: {before}; after: {after}");
        Assert.Equal([self], after.Members.Select(m => m.Url.TrimEnd('/')));
        using (var forgedStream = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/boundary/forged"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, forgedStream.StatusCode);
        }

        var path = $"/boundary/after-{Guid.NewGuid():N}";
        using (var created = await Client.CreateAsync(path, body: "still", cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var appended = await Client.AppendAsync(path, " serving", cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, appended.StatusCode);
        }

        Assert.Equal("still serving", await Client.ReadAllAsync(path, Ct));

        async Task ExpectRefusedAsync(string head, byte[]? body)
        {
            var (status, response) = await RawHttp.SendAsync(fixture.Node.BaseUrl, head, body, Ct);
            refused.Add(head);
            if (status != 401 || response.Contains("   at ", StringComparison.Ordinal))
            {
                failures.Add($"{head.Split('\r')[0]} answered {status}: {response[..Math.Min(300, response.Length)]}");
            }
        }
    }

    [Fact]
    public async Task The_secret_opens_the_cluster_endpoints_and_a_resign_it_carries_is_obeyed()
    {
        // The positive control of the test above: the same Resign message, with the secret, works.
        var before = await StatusAsync();
        var (status, response) = await RawHttp.SendAsync(
            fixture.Node.BaseUrl, $"POST /_ursula/raft HTTP/1.1\r\n{ResignHeaders()}Authorization: Bearer {fixture.ClusterSecret}\r\n", null, Ct);
        Assert.True(status == 200, response);
        var after = await WaitForLeaderAsync();
        Assert.True(after.Term > before.Term, $"before: {before}; after: {after}");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/_ursula/admin/members");
        request.Headers.Authorization = new("Bearer", fixture.ClusterSecret);
        using var members = await Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, members.StatusCode);
    }

    [Theory]
    [InlineData("/_URSULA/x")]
    [InlineData("/_Ursula/streams/x")]
    [InlineData("/_ursula%2Fx")]
    [InlineData("/_URSULA%2fx")]
    [InlineData("/%5FURSULA/x")]
    [InlineData("/_ursula")]
    public async Task No_spelling_of_the_reserved_prefix_becomes_a_stream(string target)
    {
        var (status, response) = await RawHttp.SendAsync(fixture.Node.BaseUrl, $"PUT {target} HTTP/1.1\r\nContent-Type: text/plain\r\n", "x"u8.ToArray(), Ct);
        Assert.True(status is 400 or 404, $"PUT {target} answered {status}: {response}");
        var (read, readResponse) = await RawHttp.SendAsync(fixture.Node.BaseUrl, $"GET {target}?offset=-1 HTTP/1.1\r\n", null, Ct);
        Assert.True(read is 400 or 404, $"GET {target} answered {read}: {readResponse}");
    }

    [Fact]
    public async Task Server_endpoints_carry_no_CORS_headers_and_streams_keep_them()
    {
        foreach (var target in new[] { "/_ursula/health", "/_ursula/cluster", "/_URSULA/admin/members", "/_ursula/nothing" })
        {
            var (_, response) = await RawHttp.SendAsync(fixture.Node.BaseUrl, $"GET {target} HTTP/1.1\r\nOrigin: https://evil.example\r\n", null, Ct);
            Assert.DoesNotContain("Access-Control-", response, StringComparison.OrdinalIgnoreCase);
            var (_, preflight) = await RawHttp.SendAsync(
                fixture.Node.BaseUrl, $"OPTIONS {target} HTTP/1.1\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: DELETE\r\n", null, Ct);
            Assert.DoesNotContain("Access-Control-", preflight, StringComparison.OrdinalIgnoreCase);
        }

        await Client.CreateAsync("/boundary/cors", body: "x", cancellationToken: Ct);
        using var read = await Client.GetAsync("/boundary/cors?offset=-1", Ct);
        Assert.Equal("*", read.Header("Access-Control-Allow-Origin"));
        using var options = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/boundary/cors"), Ct);
        Assert.Equal("*", options.Header("Access-Control-Allow-Origin"));
    }

    private string ResignHeaders()
    {
        var self = ClusterMemberId.FromEndPoint(new UriEndPoint(new Uri(fixture.Node.BaseUrl, "/_ursula/raft")));
        return $"X-Raft-Message-Type: Resign\r\nX-Raft-Node-ID: {self}\r\nX-Request-ID: {Guid.NewGuid():N}\r\n";
    }

    private static byte[] ForgedSubmitBody() =>
        CommandCodec.Encode(0, [new CreateStreamCommand("/boundary/forged", "text/plain", null, null, false, new CommandBody(Encoding.UTF8.GetBytes("forged"), CommandBody.Raw), null)]);

    private async Task<NodeStatus> StatusAsync()
    {
        using var response = await Client.GetAsync("/_ursula/cluster", Ct);
        response.EnsureSuccessStatusCode();
        return NodeStatus.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<NodeStatus> WaitForLeaderAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var status = await StatusAsync();
            if (status.IsLeader || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100, Ct);
        }
    }
}

[Trait("Category", "Integration")]
public sealed class DefaultNodeBoundaryTests(SingleNodeFixture fixture) : ClusterBoundaryTests(fixture), IClassFixture<SingleNodeFixture>
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_node_without_a_given_secret_keeps_a_generated_one_readable_by_its_owner_only()
    {
        var file = Path.Combine(Fixture.DataDir, "cluster-secret");
        Assert.True(File.Exists(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.True(Fixture.ClusterSecret.Length >= 40, "a generated secret carries 32 random bytes");
    }

    [Fact]
    public async Task The_members_verb_finds_the_generated_secret_through_the_data_dir()
    {
        var (code, output) = await NodeProcess.RunToExitAsync(
            ["members", "list", "--node", Fixture.Node.BaseUrl.ToString(), "--data-dir", Fixture.DataDir], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(code == 0, output);
        Assert.Contains(Fixture.Node.BaseUrl.ToString().TrimEnd('/'), output, StringComparison.Ordinal);

        var empty = Directory.CreateTempSubdirectory("ursula-no-secret-").FullName;
        try
        {
            var (refused, message) = await NodeProcess.RunToExitAsync(
                ["members", "list", "--node", Fixture.Node.BaseUrl.ToString(), "--data-dir", empty], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.True(refused == 2, message);
            Assert.Contains("cluster secret", message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}

[Trait("Category", "Integration")]
public sealed class SecretNodeBoundaryTests(SecretNodeFixture fixture) : ClusterBoundaryTests(fixture), IClassFixture<SecretNodeFixture>
{
    [Fact]
    public void A_node_given_a_secret_writes_none_of_its_own()
    {
        Assert.False(File.Exists(Path.Combine(Fixture.DataDir, "cluster-secret")));
    }
}

[Trait("Category", "Integration")]
public sealed class ClusterSecretStartupTests
{
    [Theory]
    [InlineData("--cluster", "http://127.0.0.1:14901,http://127.0.0.1:14902,http://127.0.0.1:14903")]
    [InlineData("--join", "")]
    public async Task A_node_that_talks_to_other_nodes_without_a_secret_is_refused_at_start_with_one_line(string flag, string value)
    {
        var dataDir = Directory.CreateTempSubdirectory("ursula-secretless-").FullName;
        try
        {
            string[] args = ["serve", "--listen", "127.0.0.1:14901", "--data-dir", dataDir, .. value.Length > 0 ? new[] { flag, value } : [flag]];
            var (code, output) = await NodeProcess.RunToExitAsync(args, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.True(code == 2, output);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("ursula: ", line, StringComparison.Ordinal);
            Assert.Contains("--cluster-secret", line, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dataDir, "cluster-secret")));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
