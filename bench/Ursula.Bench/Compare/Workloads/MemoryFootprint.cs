using System.Globalization;
using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// memory: on a freshly started node, create and fill --memory-streams streams (a short
/// closed-loop append run over them), then run the SSE fan-out on top; the fan-out's peak RSS of
/// the server process is the memory figure (a node holding many streams serving many subscribers).
/// </summary>
public sealed class MemoryFootprint : IWorkload
{
    public string Name => "memory";

    public bool AppliesTo(SystemUnderTest system) => true;

    public async Task RunAsync(SessionContext context, CancellationToken ct)
    {
        var s = context.Settings;
        var streams = s.MemoryStreams.ToString(CultureInfo.InvariantCulture);
        var fill = await VerbStep.RunAsync(context, $"{Name}-fill", "append", $"memory: fill {streams} streams",
            [
                "--streams", streams,
                "--concurrency", s.Connections.ToString(CultureInfo.InvariantCulture),
                "--payload", s.Payload.ToString(CultureInfo.InvariantCulture),
                "--warmup", "1s",
                "--duration", "5s",
            ],
            m => $"{streams} streams filled, {VerbStep.Number(m, "appendsPerSec", "0")} appends/s",
            ct);
        if (fill is null)
        {
            return;
        }

        await SseFanout.Run(context, $"{Name}-fanout",
            $"memory: fan-out n{s.FanoutSubscribers} on a node with {streams} streams", ct);
    }
}
