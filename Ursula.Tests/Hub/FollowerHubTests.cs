// The hub on every node of a cluster: a subscriber on a follower is woken by its own node's apply
// and sees, in one order, writes made over HTTP and through the hub on the leader, on the other
// follower and on its own node. No backplane: every node applies every committed entry.
using Microsoft.AspNetCore.SignalR.Client;
using Ursula.Server.Hub;
using Ursula.Tests.Cluster;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Hub;

public sealed class FollowerHubTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private const int Writes = 60;

    [Fact]
    public async Task A_subscriber_on_a_follower_sees_every_write_made_through_any_node_in_order()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var nodes = new[] { leader, followers[1], followers[0] };
        var path = $"/hub-cluster/{Guid.NewGuid():N}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var created = await http.CreateAsync(new Uri(Cluster[leader].BaseUrl, path).ToString(), "text/plain", cancellationToken: Ct))
        {
            created.EnsureSuccessStatusCode();
        }

        var hubs = new Dictionary<int, HubConnection>();
        try
        {
            foreach (var node in nodes)
            {
                hubs[node] = await HubClients.ConnectAsync(Cluster[node].BaseUrl, Ct);
            }

            var lines = Enumerable.Range(0, Writes).Select(i => $"write-{i:D3} via node {nodes[i % 3]}\n").ToList();
            var expected = string.Concat(lines);
            var subscriber = hubs[followers[0]];
            var reading = HubClients.ReadUntilAsync(subscriber, path, "-1", text => text.Length >= expected.Length, Ct);
            for (var i = 0; i < Writes; i++)
            {
                var node = nodes[i % 3];
                if (i % 2 == 0)
                {
                    using var response = await http.AppendAsync(new Uri(Cluster[node].BaseUrl, path).ToString(), lines[i], "text/plain", Ct);
                    response.EnsureSuccessStatusCode();
                }
                else
                {
                    await hubs[node].InvokeAsync<AppendResult>("Append", path, lines[i], Ct);
                }
            }

            var (text, _) = await reading.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Log($"the subscriber on follower {followers[0]} received {text.Length} chars written through nodes {string.Join(", ", nodes)}");
            Assert.Equal(expected, text);
            using var follower = new HttpClient { BaseAddress = Cluster[followers[0]].BaseUrl };
            Assert.Equal(expected, await follower.ReadAllAsync(path, Ct));
        }
        finally
        {
            foreach (var hub in hubs.Values)
            {
                await hub.DisposeAsync();
            }
        }
    }
}
