// How stream changes reach subscriptions, inside the apply of the stream command: a created
// stream is linked to every subscription whose pattern (or explicit list) names it, at position
// 0, before its first data, so that data wakes; an append wakes the idle subscriptions linked to
// the stream; a removed stream loses its glob links, and its explicit links start again at 0.
namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    private void SubscriptionsCreated(StreamHandle handle, Commands.ApplyContext context)
    {
        lock (subscriptionGate)
        {
            if (subscriptions.Count == 0)
            {
                return;
            }

            var path = handle.Meta.Path;
            foreach (var subscription in subscriptions.Values)
            {
                var prefix = subscription.Root + "/";
                if (!path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var relative = path[prefix.Length..];
                if (subscription.Links.TryGetValue(relative, out var link))
                {
                    link.Acked = 0;
                }
                else if (MatchesGlob(subscription, relative))
                {
                    Link(subscription, relative, explicitLink: false, acked: 0);
                }
                else
                {
                    continue;
                }

                TryIssueWake(subscription, context);
                SaveSubscription(subscription);
            }
        }
    }

    private void SubscriptionsAdvanced(StreamHandle handle, Commands.ApplyContext context)
    {
        lock (subscriptionGate)
        {
            if (subscriptionsByPath.Count == 0 || !subscriptionsByPath.TryGetValue(handle.Meta.Path, out var linked))
            {
                return;
            }

            foreach (var subscription in linked.OrderBy(l => l.Root, StringComparer.Ordinal).ThenBy(l => l.Id, StringComparer.Ordinal).ToList())
            {
                TryIssueWake(subscription, context);
            }
        }
    }

    private void SubscriptionsStreamRemoved(string path)
    {
        lock (subscriptionGate)
        {
            if (!subscriptionsByPath.TryGetValue(path, out var linked))
            {
                return;
            }

            foreach (var subscription in linked.ToList())
            {
                var relative = path[(subscription.Root.Length + 1)..];
                if (!subscription.Links.TryGetValue(relative, out var link))
                {
                    continue;
                }

                if (link.Explicit)
                {
                    link.Glob = false;
                    link.Acked = 0;
                }
                else
                {
                    subscription.Links.Remove(relative);
                    UnindexLink(subscription, relative);
                }

                SaveSubscription(subscription);
            }
        }
    }
}
