namespace Ursula.Server.Access;

/// <summary>What a grant allows; each level includes the ones below it.</summary>
public enum AccessLevel
{
    /// <summary>Nothing (a request that needs no grant).</summary>
    None = 0,

    /// <summary>GET, HEAD, SSE, long-poll, hub Head and Subscribe, the listing, reading a subscription.</summary>
    Read = 1,

    /// <summary>PUT (create), POST (append, close), hub Create, Append and Close, claiming a subscription's wake.</summary>
    Write = 2,

    /// <summary>DELETE, creating, changing and deleting subscriptions.</summary>
    Admin = 3,
}
