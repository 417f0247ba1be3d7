// Apply of the worker side: pull-wake claims (ALREADY_CLAIMED while another holds the lease),
// acks that double as heartbeats, releases, and webhook callbacks. A request is applied only if
// its token, generation and wake id all match the current wake, else 409 FENCED, so an ack is
// never applied twice and never to another wake.
using Ursula.Server.State.Commands;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    internal ApplyOutcome ApplyWorker(SubscriptionWorkerCommand command, ApplyContext context)
    {
        lock (subscriptionGate)
        {
            if (!subscriptions.TryGetValue((command.Root, command.Id), out var subscription) || signingKey is null)
            {
                return ApplyOutcome.Json(404, SubscriptionJson.Error("NOT_FOUND", "No such subscription"));
            }

            var webhook = subscription.Config.Type == SubscriptionType.Webhook;
            if (webhook != (command.Operation == WorkerOperation.Callback))
            {
                return ApplyOutcome.Json(400, SubscriptionJson.Error("WRONG_TYPE", webhook
                    ? "A webhook subscription takes callbacks, not claims, acks or releases"
                    : "A pull-wake subscription takes claims, acks and releases, not callbacks"));
            }

            ExpireLeaseIfDue(subscription, context);
            return command.Operation == WorkerOperation.Claim ? Claim(subscription, command, context) : AckOrRelease(subscription, command, context);
        }
    }

    private ApplyOutcome Claim(Subscription subscription, SubscriptionWorkerCommand command, ApplyContext context)
    {
        if (subscription.Wake is { Holder: { } holder } held)
        {
            return ApplyOutcome.Json(409, SubscriptionJson.Error("ALREADY_CLAIMED", "Another worker holds the lease", json =>
            {
                json.WriteString("current_holder", holder);
                json.WriteNumber("generation", held.Generation);
            }));
        }

        if (subscription.Wake is null && !TryIssueWake(subscription, context))
        {
            return new ApplyOutcome(204);
        }

        var wake = subscription.Wake!;
        wake.Holder = command.Worker;
        wake.LeaseExpiresMs = clockMs + subscription.Config.LeaseTtlMs;
        SaveSubscription(subscription);
        var token = WakeToken.Create(signingKey!.TokenKey, subscription.Root, subscription.Id, WakeToken.Claim, wake.Generation, wake.WakeId);
        return ApplyOutcome.Json(200, SubscriptionJson.Claim(wake, token, subscription.Config.LeaseTtlMs));
    }

    private ApplyOutcome AckOrRelease(Subscription subscription, SubscriptionWorkerCommand command, ApplyContext context)
    {
        var kind = command.Operation == WorkerOperation.Callback ? WakeToken.Callback : WakeToken.Claim;
        if (subscription.Wake is not { } wake || wake.WakeId != command.WakeId || wake.Generation != command.Generation
            || wake.Generation != subscription.Generation || (kind == WakeToken.Claim && wake.Holder is null)
            || !WakeToken.IsValid(signingKey!.TokenKey, subscription.Root, subscription.Id, kind, wake.Generation, wake.WakeId, command.Token))
        {
            return ApplyOutcome.Json(409, SubscriptionJson.Error("FENCED", "The wake is not current (stale generation or wake id, or a token of another wake)"));
        }

        foreach (var ack in command.Acks)
        {
            if (!subscription.Links.ContainsKey(ack.Stream))
            {
                return ApplyOutcome.Json(400, SubscriptionJson.Error("INVALID_ACK", $"'{ack.Stream}' is not linked to this subscription"));
            }

            if (ack.Position > (LiveTail(subscription.FullPath(ack.Stream)) ?? 0))
            {
                return ApplyOutcome.Json(400, SubscriptionJson.Error("INVALID_ACK", $"The offset acked for '{ack.Stream}' is past its tail"));
            }
        }

        foreach (var ack in command.Acks)
        {
            Ack(subscription, ack.Stream, ack.Position);
        }

        var release = command.Operation == WorkerOperation.Release || command.Done;
        var nextWake = false;
        if (release)
        {
            subscription.Wake = null;
            nextWake = TryIssueWake(subscription, context);
        }
        else
        {
            // A heartbeat: the lease runs on from now.
            wake.LeaseExpiresMs = clockMs + subscription.Config.LeaseTtlMs;
        }

        SaveSubscription(subscription);
        return command.Operation == WorkerOperation.Release ? new ApplyOutcome(204) : ApplyOutcome.Json(200, SubscriptionJson.AckResult(nextWake));
    }
}
