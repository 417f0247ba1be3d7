// Apply of wakes: a subscription with pending work and no wake gets one (the generation
// increases, the wake id is derived from the entry, a pull-wake subscription's wake events are
// appended to its wake stream in the same entry); claims, acks, releases and callbacks are fenced
// by token, generation and wake id; leases end by the entry's time, never a node's clock.
using System.Text.Json;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    private int wakeDepth;

    /// <summary>Issues a wake when the subscription is idle and has pending work; true when it did.</summary>
    private bool TryIssueWake(Subscription subscription, ApplyContext context)
    {
        if (subscription.Wake is not null || signingKey is null)
        {
            return false;
        }

        var pending = new List<WakeStream>();
        foreach (var (path, link) in subscription.Links)
        {
            if (LiveTail(subscription.FullPath(path)) is { } tail && tail > link.Acked)
            {
                pending.Add(new WakeStream(path, link.LinkType, link.Acked, tail));
            }
        }

        if (pending.Count == 0)
        {
            return false;
        }

        subscription.Generation++;
        subscription.Wake = new SubscriptionWake
        {
            WakeId = WakeToken.WakeId(signingKey.TokenKey, subscription.Root, subscription.Id, context.Index, subscription.Generation),
            Generation = subscription.Generation,
            Streams = pending,
            NextAttemptMs = clockMs,
        };
        if (subscription.Config.Type == SubscriptionType.PullWake)
        {
            AppendWakeEvents(subscription, subscription.Wake, context);
        }

        SaveSubscription(subscription);
        return true;
    }

    /// <summary>Ends the wake's lease if the entry's time is past it; another wake follows if work is pending.</summary>
    private void ExpireLeaseIfDue(Subscription subscription, ApplyContext context)
    {
        if (subscription.Wake is { LeaseExpiresMs: > 0 } wake && clockMs >= wake.LeaseExpiresMs)
        {
            subscription.Wake = null;
            TryIssueWake(subscription, context);
            SaveSubscription(subscription);
        }
    }

    private void AppendWakeEvents(Subscription subscription, SubscriptionWake wake, ApplyContext context)
    {
        if (wakeDepth > 4 || !TryGetLive(subscription.FullPath(subscription.Config.WakeStream!), context.Touched, out var handle, out _)
            || !handle.Meta.IsJson || handle.Meta.Closed)
        {
            // The application has not created its wake stream (or closed it): the wake stands, and
            // a worker that claims finds it.
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var stream in wake.Streams)
            {
                SubscriptionJson.WakeEvent(json, subscription.Id, stream.Path, wake.Generation, clockMs);
            }

            json.WriteEndArray();
        }

        if (!TryPrepareBody(new CommandBody(buffer.ToArray(), CommandBody.Raw), streamIsJson: true, allowEmptyArray: false, out var body, out _))
        {
            return;
        }

        var meta = AddRecord(handle, handle.Meta, body, context.Index, producer: null) with { LastAccessMs = clockMs };
        Publish(handle, meta, context.Touched);
        wakeDepth++;
        try
        {
            SubscriptionsAdvanced(handle, context);
        }
        finally
        {
            wakeDepth--;
        }
    }

    internal ApplyOutcome ApplyDelivery(SubscriptionDeliveryCommand command, ApplyContext context)
    {
        lock (subscriptionGate)
        {
            if (!subscriptions.TryGetValue((command.Root, command.Id), out var subscription))
            {
                return new ApplyOutcome(404);
            }

            ExpireLeaseIfDue(subscription, context);
            if (subscription.Wake is not { } wake || wake.WakeId != command.WakeId || wake.Generation != command.Generation)
            {
                // Another wake by now (acked by a callback first, a lease that ended): nothing to do.
                return new ApplyOutcome(409);
            }

            switch (command.Outcome)
            {
                case DeliveryOutcome.Delivered when !wake.Delivered:
                    wake.Delivered = true;
                    wake.LeaseExpiresMs = clockMs + subscription.Config.LeaseTtlMs;
                    break;
                case DeliveryOutcome.Done:
                    foreach (var stream in wake.Streams)
                    {
                        Ack(subscription, stream.Path, stream.Tail);
                    }

                    subscription.Wake = null;
                    TryIssueWake(subscription, context);
                    break;
                case DeliveryOutcome.Failed when !wake.Delivered:
                    wake.Attempts++;
                    wake.NextAttemptMs = clockMs + Math.Max(0, command.DelayMs);
                    break;
                case DeliveryOutcome.LeaseExpired:
                    // ExpireLeaseIfDue has ended it if it was due; a lease renewed since stands.
                    break;
            }

            SaveSubscription(subscription);
            return new ApplyOutcome(204);
        }
    }

    private static void Ack(Subscription subscription, string path, long position)
    {
        if (subscription.Links.TryGetValue(path, out var link))
        {
            link.Acked = Math.Max(link.Acked, position);
        }
    }
}
