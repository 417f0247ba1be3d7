// Counts the hub's connections in ursula_live_connections{kind="hub"} while they are open.
using Ursula.Server.Diagnostics;

namespace Ursula.Server.Hub;

public sealed partial class StreamHub
{
    private static readonly KeyValuePair<string, object?> HubKind = new("kind", "hub");

    public override Task OnConnectedAsync()
    {
        UrsulaMetrics.LiveConnections.Add(1, HubKind);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        UrsulaMetrics.LiveConnections.Add(-1, HubKind);
        return base.OnDisconnectedAsync(exception);
    }
}
