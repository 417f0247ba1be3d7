// The leader's subscription service: only the leader delivers. It watches the replicated wakes
// (woken by apply's subscription signal, or when the next lease or retry is due) and sends each
// undelivered webhook wake once, ends leases that ran out, and reports every outcome through the
// log (delivered, done, failed with the next attempt's delay, lease expired), so that a new
// leader, or this node after a restart, continues the same schedule from replicated state.
using Microsoft.Extensions.Options;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.Replication.Subscriptions;

public sealed partial class SubscriptionService(
    StreamCatalog catalog,
    Sequencer sequencer,
    LeadershipSignal leadership,
    WebhookSender sender,
    TimeProvider time,
    ILogger<SubscriptionService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(1);
    private readonly HashSet<string> inFlight = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken leading;
            try
            {
                leading = await leadership.WaitForLeadershipAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            SubscriptionLog.Leading(logger);
            using var scope = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leading);
            try
            {
                await RunAsLeaderAsync(scope.Token);
            }
            catch (OperationCanceledException) when (scope.IsCancellationRequested)
            {
            }
        }
    }

    private async Task RunAsLeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var pulse = catalog.SubscriptionSignal.NextPulse;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var nextDue = now + (long)MaxIdle.TotalMilliseconds;
            foreach (var subscription in catalog.SubscriptionsWithWakes())
            {
                var wake = subscription.Wake!;
                lock (inFlight)
                {
                    if (inFlight.Contains(wake.WakeId))
                    {
                        continue;
                    }
                }

                if (wake.LeaseExpiresMs > 0)
                {
                    if (now >= wake.LeaseExpiresMs)
                    {
                        Start(subscription, wake, Outcome(subscription, wake, DeliveryOutcome.LeaseExpired, 0, cancellationToken));
                    }
                    else
                    {
                        nextDue = Math.Min(nextDue, wake.LeaseExpiresMs);
                    }
                }
                else if (subscription.Config.Type == SubscriptionType.Webhook && !wake.Delivered)
                {
                    if (now >= wake.NextAttemptMs)
                    {
                        Start(subscription, wake, DeliverAsync(subscription, wake, cancellationToken));
                    }
                    else
                    {
                        nextDue = Math.Min(nextDue, wake.NextAttemptMs);
                    }
                }
            }

            var wait = TimeSpan.FromMilliseconds(Math.Clamp(nextDue - now, 10, (long)MaxIdle.TotalMilliseconds));
            await Task.WhenAny(pulse, Task.Delay(wait, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void Start(Subscription subscription, SubscriptionWake wake, Func<Task> work)
    {
        lock (inFlight)
        {
            inFlight.Add(wake.WakeId);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception e) when (e is ServiceUnavailableException or OperationCanceledException)
            {
                // Leadership moved or the node stops: the wake stays in replicated state for the next leader.
            }
            catch (Exception e)
            {
                SubscriptionLog.ServiceFailed(logger, subscription.Id, e);
            }
            finally
            {
                lock (inFlight)
                {
                    inFlight.Remove(wake.WakeId);
                }

                catalog.SubscriptionSignal.Pulse();
            }
        });
    }

    private Func<Task> DeliverAsync(Subscription subscription, SubscriptionWake wake, CancellationToken cancellationToken) => async () =>
    {
        var result = await sender.SendAsync(subscription, wake, cancellationToken);
        if (result.Error is { } error)
        {
            var delay = Backoff.NextDelay(wake.Attempts, Random.Shared.NextDouble());
            SubscriptionLog.DeliveryFailed(logger, subscription.Id, wake.Generation, wake.Attempts + 1, (long)delay.TotalMilliseconds, error);
            await Outcome(subscription, wake, DeliveryOutcome.Failed, (long)delay.TotalMilliseconds, cancellationToken)();
            return;
        }

        await Outcome(subscription, wake, result.Done ? DeliveryOutcome.Done : DeliveryOutcome.Delivered, 0, cancellationToken)();
    };

    private Func<Task> Outcome(Subscription subscription, SubscriptionWake wake, DeliveryOutcome outcome, long delayMs, CancellationToken cancellationToken) => async () =>
        await sequencer.SubmitAsLeaderAsync(
            new SubscriptionDeliveryCommand(subscription.Root, subscription.Id, wake.WakeId, wake.Generation, outcome, delayMs), cancellationToken);
}
