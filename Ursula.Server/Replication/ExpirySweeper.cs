// The leader's sweeper: streams past their TTL or deadline are expired through the log, so every
// node frees them at the same point. Requests already treat them as gone from the moment they
// expire. It sweeps only while this node leads: the leadership signal starts it, and the
// leadership's token ends the sweeping when this node steps down. The same sweep expires idle
// producer state: it reads the oldest producer stamp apply keeps, so an idle node writes nothing.
using Microsoft.Extensions.Options;
using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Replication;

public sealed class ExpirySweeper(StreamCatalog catalog, Sequencer sequencer, LeadershipSignal leadership, TimeProvider time, IOptions<ProducerExpiryOptions> producerOptions) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var leading = await leadership.WaitForLeadershipAsync(stoppingToken);
            using var scope = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leading);
            try
            {
                await SweepWhileLeadingAsync(scope.Token);
            }
            catch (OperationCanceledException) when (scope.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                // Stepped down; wait to lead again.
            }
        }
    }

    private long lastProducerSweepMs;

    /// <summary>Some producer may be idle past the expiry, and the last producer sweep is a sweep interval ago.</summary>
    private bool ProducersDue(long now)
    {
        var options = producerOptions.Value;
        var oldest = catalog.OldestProducerMs;
        if (oldest == long.MaxValue || now - oldest < (long)options.IdleExpiry.TotalMilliseconds
            || now - lastProducerSweepMs < (long)options.SweepInterval.TotalMilliseconds)
        {
            return false;
        }

        lastProducerSweepMs = now;
        return true;
    }

    private async Task SweepWhileLeadingAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var expired = catalog.Streams
                .Select(h => h.Meta)
                .Where(m => !m.SoftDeleted && m.IsExpiredAt(now))
                .Select(m => (Command)new ExpireStreamCommand(m.Path, m.Id))
                .ToList();
            if (ProducersDue(now))
            {
                expired.Add(new ExpireProducersCommand((long)producerOptions.Value.IdleExpiry.TotalMilliseconds));
            }

            // All at once: they share log entries through group commit instead of one round trip each.
            try
            {
                await Task.WhenAll(expired.Select(c => sequencer.SubmitAsLeaderAsync(c, cancellationToken).AsTask()));
            }
            catch (ServiceUnavailableException)
            {
                // Leadership moved or the log is unavailable; the next sweep (here or on the new leader) retries.
            }
        }
    }
}
