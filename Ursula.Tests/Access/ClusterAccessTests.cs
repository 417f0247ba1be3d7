// A cluster with authentication on: a follower enforces the same grants as the leader, and a
// write it forwards carries no power the client's token did not have (the follower decides; the
// leader's forwarding endpoint takes only the cluster secret, never a client token).
using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Ursula.Server.Hub;
using Ursula.Tests.Cluster;
using Ursula.Tests.Hub;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

public sealed class ClusterAccessTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private readonly string keyDirectory = Path.Combine(Path.GetTempPath(), $"ursula-cluster-keys-{Guid.NewGuid():N}");

    protected override IReadOnlyList<string> ExtraNodeArguments =>
    [
        "--keys-file", TestTokens.WriteKeyFile(keyDirectory),
        "--jwt-secret", TestTokens.Secret, "--jwt-audience", TestTokens.Audience, "--jwt-issuer", TestTokens.Issuer,
    ];

    [Fact]
    public async Task A_follower_enforces_the_grants_and_forwards_only_what_the_token_allows()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        using var adminOnLeader = Client(leader, TestTokens.AdminAll);
        var own = $"/tenant-a/{Guid.NewGuid():N}";
        var other = $"/tenant-b/{Guid.NewGuid():N}";
        (await adminOnLeader.CreateAsync(own, cancellationToken: Ct)).EnsureSuccessStatusCode();
        (await adminOnLeader.CreateAsync(other, body: "theirs", cancellationToken: Ct)).EnsureSuccessStatusCode();
        await Cluster.WaitForCatchUpAsync(TimeSpan.FromSeconds(30), Ct);

        foreach (var follower in followers)
        {
            using var anonymous = Client(follower, null);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.AppendAsync(own, "x", cancellationToken: Ct)).StatusCode);

            using var writer = Client(follower, TestTokens.WriterA);
            using (var forwarded = await writer.AppendAsync(own, $"via {follower};", cancellationToken: Ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, forwarded.StatusCode);
            }

            foreach (var (method, path) in new[] { ("POST", other), ("PUT", other + "-new"), ("DELETE", own) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("injected", System.Text.Encoding.UTF8, "text/plain") };
                using var refused = await writer.SendAsync(request, Ct);
                Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} on follower {follower} got {(int)refused.StatusCode}");
            }

            using var jwt = Client(follower, TestTokens.Jwt(["write:/tenant-a/**"], audience: "someone-else"));
            Assert.Equal(HttpStatusCode.Unauthorized, (await jwt.AppendAsync(own, "x", cancellationToken: Ct)).StatusCode);

            await using var hub = new HubConnectionBuilder()
                .WithUrl(HubClients.HubUrl(Cluster[follower].BaseUrl), o => o.AccessTokenProvider = () => Task.FromResult<string?>(TestTokens.WriterA))
                .Build();
            await hub.StartAsync(Ct);
            var error = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<AppendResult>("Append", other, "injected", Ct));
            Assert.Equal(403, HubClients.StatusOf(error));
        }

        // The leader's forwarding endpoint takes the cluster secret only: a client token is no way in.
        using var direct = Client(leader, TestTokens.AdminAll);
        using var submit = await direct.PostAsync("/_ursula/internal/submit", new ByteArrayContent([0]), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, submit.StatusCode);

        await Cluster.WaitForCatchUpAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal($"via {followers[0]};via {followers[1]};", await adminOnLeader.ReadAllAsync(own, Ct));
        Assert.Equal("theirs", await adminOnLeader.ReadAllAsync(other, Ct));
        using var gone = await adminOnLeader.GetAsync(other + "-new", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(keyDirectory))
        {
            Directory.Delete(keyDirectory, recursive: true);
        }
    }

    private HttpClient Client(int node, string? token)
    {
        var client = new HttpClient { BaseAddress = Cluster[node].BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        return client;
    }
}
