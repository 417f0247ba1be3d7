// Wakes, about once a second, every stream that has ticked live readers attached (SSE, hub), so that they send
// keep-alives and notice a closed connection or an expired lifetime without a timer each. It visits
// only those streams (LiveReaderRegistry), never the whole catalog.
namespace Ursula.Server.State.Reading;

public sealed class LiveReaderTicker(LiveReaderRegistry live, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var handle in live.Streams)
            {
                handle.Signal.Pulse();
            }
        }
    }
}
