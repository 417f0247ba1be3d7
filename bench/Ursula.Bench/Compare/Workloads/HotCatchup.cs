using System.Globalization;
using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// hot-catchup: --catchup-readers read one freshly written --catchup-size stream from the start
/// (the C# catchup verb, content verified). "Hot": the data is where the server just wrote it;
/// cold catch-up from the archive is the workload that goes after this one.
/// </summary>
public sealed class HotCatchup : IWorkload
{
    public string Name => "hot-catchup";

    public bool AppliesTo(SystemUnderTest system) => true;

    public Task RunAsync(SessionContext context, CancellationToken ct)
    {
        var s = context.Settings;
        return VerbStep.RunAsync(context, Name, "catchup", $"catchup r{s.CatchupReaders} {Cli.Units.FormatSize(s.CatchupSize)}",
            [
                "--readers", s.CatchupReaders.ToString(CultureInfo.InvariantCulture),
                "--size", s.CatchupSize.ToString(CultureInfo.InvariantCulture),
            ],
            m => $"{VerbStep.Number(m, "aggregateMBps", "0")} MB/s aggregate, verified {VerbStep.Number(m, "verified", "0")}, "
                + $"pre-fill {VerbStep.Number(m, "prefillMBps")} MB/s",
            ct);
    }
}
