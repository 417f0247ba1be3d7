using System.Globalization;
using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// append-half-peak: open-loop appends at half of this session's wrk peak, for the tail latency of
/// a system that is not saturated. wrk cannot pace on a schedule, so the C# append verb does it
/// (latency also from the scheduled send time, no coordinated omission); its CPU is reported too.
/// </summary>
public sealed class AppendHalfPeak : IWorkload
{
    public string Name => "append-half-peak";

    public bool AppliesTo(SystemUnderTest system) => true;

    public async Task RunAsync(SessionContext context, CancellationToken ct)
    {
        if (context.PeakAppendsPerSec is not { } peak || peak < 2)
        {
            context.Log.Line($"  {Name}: no peak measured in this session, skipped");
            return;
        }

        var s = context.Settings;
        var rate = Math.Floor(peak / 2).ToString(CultureInfo.InvariantCulture);
        await VerbStep.RunAsync(context, Name, "append", $"{AppendPeak.Workload(s)} @50% of own peak",
            [
                "--streams", s.Streams.ToString(CultureInfo.InvariantCulture),
                "--concurrency", s.Connections.ToString(CultureInfo.InvariantCulture),
                "--payload", s.Payload.ToString(CultureInfo.InvariantCulture),
                "--rate", rate,
                "--warmup", Cli.Units.FormatDuration(s.AppendWarmup),
                "--duration", Cli.Units.FormatDuration(s.AppendDuration),
            ],
            m => $"target {rate}/s, got {VerbStep.Number(m, "appendsPerSec", "0")}/s, p99 {VerbStep.Ms(m, "latP99Us")}, "
                + $"p99 from scheduled send {VerbStep.Ms(m, "schedP99Us")}, C# client {VerbStep.Number(m, "loadgenCpuUsPerOp")} µs CPU per append",
            ct);
    }
}
