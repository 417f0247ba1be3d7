// The subscriptions part of the replicated state: every subscription by (stream root, id), an
// index from stream path to the subscriptions linked to it, and the webhook signing key. Apply
// mutates them under one lock; request handlers and the leader's delivery service read copies.
using System.Text.Json;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    private readonly Lock subscriptionGate = new();
    // Sorted, so that apply visits subscriptions in the same order on every node (wake events of
    // two subscriptions sharing a wake stream land in the same order), however each node got here.
    private readonly SortedDictionary<(string Root, string Id), Subscription> subscriptions = new(SubscriptionKeyComparer.Instance);
    private readonly Dictionary<string, List<Subscription>> subscriptionsByPath = new(StringComparer.Ordinal);
    private WebhookSigningKey? signingKey;

    /// <summary>The cluster's webhook signing key; null until the first subscription was created.</summary>
    public WebhookSigningKey? SigningKey => Volatile.Read(ref signingKey);

    /// <summary>Pulsed whenever apply changed a subscription (its delivery service looks again).</summary>
    public StreamSignal SubscriptionSignal { get; } = new();

    /// <summary>A copy of the subscription, or null.</summary>
    public Subscription? FindSubscription(string root, string id)
    {
        lock (subscriptionGate)
        {
            return subscriptions.TryGetValue((root, id), out var found) ? Copy(found) : null;
        }
    }

    /// <summary>Copies of the subscriptions that have a wake (what the delivery service looks at).</summary>
    public IReadOnlyList<Subscription> SubscriptionsWithWakes()
    {
        lock (subscriptionGate)
        {
            return subscriptions.Values.Where(s => s.Wake is not null).Select(Copy).ToList();
        }
    }

    public int SubscriptionCount
    {
        get
        {
            lock (subscriptionGate)
            {
                return subscriptions.Count;
            }
        }
    }

    private void LoadSubscriptions(CatalogState state)
    {
        lock (subscriptionGate)
        {
            subscriptions.Clear();
            subscriptionsByPath.Clear();
            Volatile.Write(ref signingKey, state.SigningKeySeed is { } seed ? new WebhookSigningKey(seed) : null);
            foreach (var json in state.Subscriptions)
            {
                var subscription = JsonSerializer.Deserialize(json, SubscriptionJsonContext.Default.Subscription)
                    ?? throw new InvalidDataException("A stored subscription is null.");
                subscriptions[(subscription.Root, subscription.Id)] = subscription;
                foreach (var path in subscription.Links.Keys)
                {
                    IndexLink(subscription, path);
                }
            }
        }

        SubscriptionSignal.Pulse();
    }

    private sealed class SubscriptionKeyComparer : IComparer<(string Root, string Id)>
    {
        public static readonly SubscriptionKeyComparer Instance = new();

        public int Compare((string Root, string Id) x, (string Root, string Id) y)
        {
            var root = string.CompareOrdinal(x.Root, y.Root);
            return root != 0 ? root : string.CompareOrdinal(x.Id, y.Id);
        }
    }

    private static Subscription Copy(Subscription subscription) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(subscription, SubscriptionJsonContext.Default.Subscription), SubscriptionJsonContext.Default.Subscription)!;

    /// <summary>Records the subscription's new state for the flusher (call after every change).</summary>
    private void SaveSubscription(Subscription subscription)
    {
        current.Changes<SubscriptionChanges>().Upsert(subscription.Root, subscription.Id, JsonSerializer.SerializeToUtf8Bytes(subscription, SubscriptionJsonContext.Default.Subscription));
        subscriptionChanged = true;
    }

    private bool subscriptionChanged;

    private void IndexLink(Subscription subscription, string relative)
    {
        var full = subscription.FullPath(relative);
        if (!subscriptionsByPath.TryGetValue(full, out var linked))
        {
            subscriptionsByPath[full] = linked = [];
        }

        if (!linked.Contains(subscription))
        {
            linked.Add(subscription);
        }
    }

    private void UnindexLink(Subscription subscription, string relative)
    {
        var full = subscription.FullPath(relative);
        if (subscriptionsByPath.TryGetValue(full, out var linked) && linked.Remove(subscription) && linked.Count == 0)
        {
            subscriptionsByPath.Remove(full);
        }
    }

    /// <summary>The stream's tail, or null when no live stream has that path.</summary>
    private long? LiveTail(string fullPath) =>
        byPath.TryGetValue(fullPath, out var handle) && !handle.Removed && !handle.Meta.SoftDeleted && !handle.Meta.IsExpiredAt(clockMs)
            ? handle.Meta.Tail
            : null;
}
