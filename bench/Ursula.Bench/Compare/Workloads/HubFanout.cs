using System.Globalization;
using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// hub-fanout: the SSE fan-out's stream, subscriber count and rate, with the subscribers on Ursula's
/// SignalR hub instead (the fanout verb with --transport hub), on the same node in the same session.
/// </summary>
public sealed class HubFanout : IWorkload
{
    public string Name => "hub-fanout";

    public bool AppliesTo(SystemUnderTest system) => system.IsUrsula;

    public Task RunAsync(SessionContext context, CancellationToken ct)
    {
        var s = context.Settings;
        return VerbStep.RunAsync(context, Name, "fanout", $"hub-fanout n{s.FanoutSubscribers} r{s.FanoutRate:0}",
            [
                "--transport", "hub",
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
