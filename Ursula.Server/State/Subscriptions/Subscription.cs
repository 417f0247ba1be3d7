// One subscription's replicated state: its configuration, the cursor of every linked stream, the
// wake generation and the wake in flight (with its lease, holder and webhook retry schedule). It
// is mutated only by apply, under the subscription catalog's lock, and persisted whole as JSON.
namespace Ursula.Server.State.Subscriptions;

public sealed class Subscription
{
    /// <summary>The stream root the subscription lives under ("" for the server root, or e.g. "/v1/stream").</summary>
    public required string Root { get; init; }

    public required string Id { get; init; }

    public required SubscriptionConfig Config { get; set; }

    public required string Hash { get; set; }

    /// <summary>scheme://host of the request that created it: the callback URL handed to its webhook.</summary>
    public required string BaseUrl { get; set; }

    public long CreatedAtMs { get; init; }

    /// <summary>Every linked stream by root-relative path, in path order.</summary>
    public SortedDictionary<string, SubscriptionLink> Links { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The fencing counter; it increases with every wake.</summary>
    public long Generation { get; set; }

    /// <summary>The current wake, null while the subscription is idle.</summary>
    public SubscriptionWake? Wake { get; set; }

    /// <summary>"failed" while a webhook retry is scheduled after a failed attempt.</summary>
    public string Status => Wake is { Attempts: > 0, Delivered: false } ? "failed" : "active";

    public string FullPath(string relative) => Root + "/" + relative;
}

public sealed class SubscriptionLink
{
    public bool Explicit { get; set; }

    public bool Glob { get; set; }

    /// <summary>The last processed position, inclusive (the position of the offset acked).</summary>
    public long Acked { get; set; }

    public string LinkType => Explicit ? "explicit" : "glob";
}

public sealed class SubscriptionWake
{
    public required string WakeId { get; init; }

    public long Generation { get; init; }

    /// <summary>The linked streams with pending work when the wake was issued, and their tails then.</summary>
    public List<WakeStream> Streams { get; init; } = [];

    /// <summary>The pull-wake worker holding the lease, null while unclaimed (and for webhooks).</summary>
    public string? Holder { get; set; }

    /// <summary>When the lease ends (leader time, unix ms); 0 while no lease runs.</summary>
    public long LeaseExpiresMs { get; set; }

    /// <summary>Webhooks: the receiver answered 2xx to this wake.</summary>
    public bool Delivered { get; set; }

    /// <summary>Webhooks: failed delivery attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Webhooks: when the next delivery attempt is due (leader time, unix ms).</summary>
    public long NextAttemptMs { get; set; }
}

public sealed record WakeStream(string Path, string LinkType, long Acked, long Tail);
