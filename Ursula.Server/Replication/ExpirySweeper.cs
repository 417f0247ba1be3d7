// The leader's sweeper: streams past their TTL or deadline are expired through the log, so every
// node frees them at the same point. Requests already treat them as gone from the moment they expire.
using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Replication;

public sealed class ExpirySweeper(StreamCatalog catalog, Sequencer sequencer, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!sequencer.IsLeader)
            {
                continue;
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var expired = catalog.Streams
                .Select(h => h.Meta)
                .Where(m => !m.SoftDeleted && m.IsExpiredAt(now))
                .Select(m => new ExpireStreamCommand(m.Path, m.Id))
                .ToList();

            // All at once: they share log entries through group commit instead of one round trip each.
            try
            {
                await Task.WhenAll(expired.Select(c => sequencer.SubmitAsLeaderAsync(c, stoppingToken).AsTask()));
            }
            catch (ServiceUnavailableException)
            {
                // Leadership moved or the log is unavailable; the next sweep (here or on the new leader) retries.
            }
        }
    }
}
