// Three nodes over TLS (--tls-cert, --tls-key, --tls-ca with a CA made in the test): Raft elects a
// leader and replicates over https, an append through one node is read back from every node, and a
// plaintext client or one that does not trust the CA gets no answer.
using System.Diagnostics;
using System.Net;
using Ursula.Tests.Cluster;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

// In the cluster collection: three nodes start and elect, which a suite running beside it would slow.
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class TlsClusterTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"ursula-tls-{Guid.NewGuid().ToString("N")[..8]}");
    private readonly List<NodeProcess> nodes = [];
    private readonly List<Uri> urls = [];
    private TestCertificates certificates = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        certificates = TestCertificates.Create(Path.Combine(root, "tls"));
        client = new HttpClient(certificates.TrustingHandler()) { Timeout = TimeSpan.FromSeconds(10) };
        var ports = new List<int>();
        while (ports.Count < 3)
        {
            var port = FreePort.Next();
            if (!ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        urls.AddRange(ports.Select(p => new Uri($"https://127.0.0.1:{p}")));
        var members = string.Join(',', urls.Select(u => u.ToString().TrimEnd('/')));
        for (var i = 0; i < 3; i++)
        {
            var database = await postgres.CreateDatabaseAsync($"tls{i}_{Guid.NewGuid().ToString("N")[..6]}", CancellationToken.None);
            nodes.Add(NodeProcess.Start(ports[i], Path.Combine(root, $"node{i}"), database,
            [
                .. TestCluster.NodeArguments, "--no-archive", "--cluster", members,
                "--tls-cert", certificates.CertFile, "--tls-key", certificates.KeyFile, "--tls-ca", certificates.CaFile,
            ]));
        }
    }

    [Fact]
    public async Task Three_nodes_over_TLS_elect_a_leader_and_replicate_an_append()
    {
        var ct = TestContext.Current.CancellationToken;
        var leader = await WaitForLeaderAsync(TimeSpan.FromSeconds(90), ct);
        Assert.StartsWith("https://", leader, StringComparison.Ordinal);

        using var create = await client.PutAsync(new Uri(urls[0], "/tls-stream"), new StringContent(string.Empty, System.Text.Encoding.UTF8, "text/plain"), ct);
        Assert.True(create.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, create.ToString());
        using var append = await client.PostAsync(new Uri(urls[1], "/tls-stream"), new StringContent("over tls", System.Text.Encoding.UTF8, "text/plain"), ct);
        Assert.True(append.IsSuccessStatusCode, append.ToString());

        foreach (var url in urls)
        {
            var body = await ReadEventuallyAsync(new Uri(url, "/tls-stream?offset=-1"), "over tls", ct);
            Assert.Equal("over tls", body);
        }
    }

    [Fact]
    public async Task A_plaintext_client_and_a_client_that_does_not_trust_the_CA_get_no_answer()
    {
        var ct = TestContext.Current.CancellationToken;
        await WaitForLeaderAsync(TimeSpan.FromSeconds(90), ct);
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var plaintext = new UriBuilder(urls[0]) { Scheme = "http" }.Uri;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri(plaintext, "/_ursula/health"), ct));

        // The system trust store does not know the test CA.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri(urls[0], "/_ursula/health"), ct));
    }

    private async Task<string> WaitForLeaderAsync(TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < timeout)
        {
            foreach (var (node, url) in nodes.Zip(urls))
            {
                if (node.HasExited)
                {
                    throw new InvalidOperationException($"A node exited:\n{node.Output}");
                }

                try
                {
                    using var response = await client.GetAsync(new Uri(url, "/_ursula/cluster"), ct);
                    var status = NodeStatus.Parse(await response.Content.ReadAsStringAsync(ct));
                    last = status.ToString();
                    if (status.IsLeader && status.Members.Count == 3 && status.Members.All(m => m.Status == "available"))
                    {
                        return status.Self;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    last = e.Message;
                }
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"No leader over TLS within {timeout}; last: {last}\n{nodes[0].Output}");
    }

    private async Task<string> ReadEventuallyAsync(Uri url, string expected, CancellationToken ct)
    {
        var body = string.Empty;
        for (var attempt = 0; attempt < 50 && body != expected; attempt++)
        {
            using var response = await client.GetAsync(url, ct);
            body = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(ct) : body;
            if (body != expected)
            {
                await Task.Delay(100, ct);
            }
        }

        return body;
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
