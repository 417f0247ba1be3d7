// The leader's sweeper: streams past their TTL or deadline are expired through the log, so every
// node frees them at the same point. Requests already treat them as gone from the moment they expire.
using Ursula.Server.Protocol;
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
            foreach (var handle in catalog.Streams)
            {
                var meta = handle.Meta;
                if (!meta.SoftDeleted && meta.IsExpiredAt(now))
                {
                    try
                    {
                        await sequencer.SubmitAsync(new ExpireStreamCommand(meta.Path, meta.Id), stoppingToken);
                    }
                    catch (ServiceUnavailableException)
                    {
                        break;
                    }
                }
            }
        }
    }
}
