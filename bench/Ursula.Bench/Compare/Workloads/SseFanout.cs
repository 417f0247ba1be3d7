using System.Globalization;
using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>sse-fanout: one stream, --fanout-subscribers SSE readers, one writer at --fanout-rate (the C# fanout verb).</summary>
public sealed class SseFanout : IWorkload
{
    public string Name => "sse-fanout";

    public bool AppliesTo(SystemUnderTest system) => true;

    public Task RunAsync(SessionContext context, CancellationToken ct)
    {
        var s = context.Settings;
        return Run(context, Name, $"fanout n{s.FanoutSubscribers} r{s.FanoutRate:0}", ct);
    }

    /// <summary>Also the second step of the memory session, under its own workload name.</summary>
    public static Task Run(SessionContext context, string name, string workload, CancellationToken ct)
    {
        var s = context.Settings;
        return VerbStep.RunAsync(context, name, "fanout", workload,
            [
                "--subscribers", s.FanoutSubscribers.ToString(CultureInfo.InvariantCulture),
                "--rate", s.FanoutRate.ToString(CultureInfo.InvariantCulture),
                "--duration", Cli.Units.FormatDuration(s.FanoutDuration),
            ],
            m => $"delivery p50 {VerbStep.Ms(m, "deliveryP50Us")}, p99 {VerbStep.Ms(m, "deliveryP99Us")}, "
                + $"{VerbStep.Number(m, "publishedPerSec")} appends/s published, {VerbStep.Number(m, "subscribersReady", "0")} live, "
                + $"{VerbStep.Number(m, "subscribersMissingData", "0")} missed data",
            ct);
    }
}
