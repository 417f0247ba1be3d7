// Apply of the subscription control APIs: create or re-confirm (by configuration hash), with the
// eager backfill of matching streams at their tails; delete; explicit links added and removed.
using Ursula.Server.State.Commands;
using Ursula.Server.State.Subscriptions;
using Ursula.Server.Streams;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    internal ApplyOutcome PutSubscription(PutSubscriptionCommand command, ApplyContext context)
    {
        lock (subscriptionGate)
        {
            if (signingKey is null)
            {
                Volatile.Write(ref signingKey, new WebhookSigningKey(command.KeySeed));
                current.Changes<SubscriptionChanges>().SetKey(command.KeySeed);
            }

            var hash = command.Config.Hash();
            if (subscriptions.TryGetValue((command.Root, command.Id), out var existing))
            {
                return existing.Hash == hash
                    ? new ApplyOutcome(200)
                    : ApplyOutcome.Json(409, SubscriptionJson.Error("SUBSCRIPTION_EXISTS", "A subscription with this id exists with another configuration"));
            }

            var subscription = new Subscription
            {
                Root = command.Root,
                Id = command.Id,
                Config = command.Config,
                Hash = hash,
                BaseUrl = command.BaseUrl,
                CreatedAtMs = clockMs,
            };
            subscriptions[(command.Root, command.Id)] = subscription;
            foreach (var stream in command.Config.Streams)
            {
                Link(subscription, stream, explicitLink: true, LiveTail(subscription.FullPath(stream)) ?? 0);
            }

            if (command.Config.Pattern is { } pattern)
            {
                // Eager backfill: every live stream under the root that matches, at its current tail.
                var prefix = command.Root + "/";
                foreach (var handle in byPath.Values)
                {
                    var path = handle.Meta.Path;
                    if (path.StartsWith(prefix, StringComparison.Ordinal) && LiveTail(path) is { } tail
                        && MatchesGlob(subscription, path[prefix.Length..]))
                    {
                        Link(subscription, path[prefix.Length..], explicitLink: false, tail);
                    }
                }
            }

            SaveSubscription(subscription);
            return new ApplyOutcome(201);
        }
    }

    internal ApplyOutcome DeleteSubscription(DeleteSubscriptionCommand command, ApplyContext context)
    {
        lock (subscriptionGate)
        {
            if (!subscriptions.Remove((command.Root, command.Id), out var subscription))
            {
                return ApplyOutcome.Json(404, SubscriptionJson.Error("NOT_FOUND", "No such subscription"));
            }

            foreach (var path in subscription.Links.Keys)
            {
                UnindexLink(subscription, path);
            }

            current.Changes<SubscriptionChanges>().Delete(command.Root, command.Id);
            subscriptionChanged = true;
            return new ApplyOutcome(204);
        }
    }

    internal ApplyOutcome ChangeSubscriptionStreams(SubscriptionStreamsCommand command, ApplyContext context)
    {
        lock (subscriptionGate)
        {
            if (!subscriptions.TryGetValue((command.Root, command.Id), out var subscription))
            {
                return ApplyOutcome.Json(404, SubscriptionJson.Error("NOT_FOUND", "No such subscription"));
            }

            foreach (var stream in command.Add)
            {
                Link(subscription, stream, explicitLink: true, LiveTail(subscription.FullPath(stream)) ?? 0);
            }

            foreach (var stream in command.Remove)
            {
                if (!subscription.Links.TryGetValue(stream, out var link))
                {
                    continue;
                }

                link.Explicit = false;
                if (!link.Glob)
                {
                    subscription.Links.Remove(stream);
                    UnindexLink(subscription, stream);
                }
            }

            TryIssueWake(subscription, context);
            SaveSubscription(subscription);
            return new ApplyOutcome(204);
        }
    }

    private static bool MatchesGlob(Subscription subscription, string relative) =>
        subscription.Config.Pattern is { } pattern
        && relative != subscription.Config.WakeStream
        && SubscriptionGlob.IsMatch(pattern, relative);

    /// <summary>Links a stream (an existing link keeps its cursor and gains the kind).</summary>
    private void Link(Subscription subscription, string relative, bool explicitLink, long acked)
    {
        if (!subscription.Links.TryGetValue(relative, out var link))
        {
            subscription.Links[relative] = link = new SubscriptionLink { Acked = acked };
            IndexLink(subscription, relative);
        }

        link.Explicit |= explicitLink;
        link.Glob |= !explicitLink;
    }
}
