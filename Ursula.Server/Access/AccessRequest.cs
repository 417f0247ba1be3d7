// What a request is, as the access pipeline sees it: decided once per request by
// RequestClassifier from its path, method and a few headers, and kept in the request's features so
// that authorization, rate limits and size limits all judge the same classification.
namespace Ursula.Server.Access;

public enum RequestArea
{
    /// <summary>Needs nothing: preflights, health, cluster status, the console's static files, a subscription's signing keys.</summary>
    Public,

    /// <summary>The cluster endpoints (Raft, forwarding, administration): the cluster secret guards them, never a client token.</summary>
    Cluster,

    /// <summary>A stream operation: the grant is checked on Path (and on ForkSource for a fork).</summary>
    Stream,

    /// <summary>The subscriptions API under {root}/__ds: the grant is checked on the whole subtree under Path.</summary>
    Subscription,

    /// <summary>A subscription's callback, ack or release: authenticated by the subscription's own tokens, not client tokens.</summary>
    SubscriptionToken,

    /// <summary>The SignalR hub: any valid token connects; each method checks its path.</summary>
    Hub,

    /// <summary>The stream listing: any grant lists what its grants let it read.</summary>
    Listing,

    /// <summary>Another endpoint under the reserved prefix: admin on every path.</summary>
    Reserved,
}

public sealed record AccessRequest(RequestArea Area, AccessLevel Needed, string Path, string? ForkSource = null, bool Live = false, bool Create = false)
{
    public static readonly AccessRequest PublicRequest = new(RequestArea.Public, AccessLevel.None, "/");

    public static readonly AccessRequest ClusterRequest = new(RequestArea.Cluster, AccessLevel.None, "/");
}

/// <summary>The request's classification, set by AccessMiddleware for the steps after it.</summary>
public sealed class AccessRequestFeature(AccessRequest request)
{
    public AccessRequest Request { get; } = request;

    /// <summary>Cancelled when the caller's token expires; live readers end then.</summary>
    public CancellationToken Expired { get; set; }
}
