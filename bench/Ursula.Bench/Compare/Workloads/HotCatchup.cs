using System.Globalization;
using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// hot-catchup: --catchup-readers read one freshly written --catchup-size stream from the start
/// (the C# catchup verb, content verified). "Hot": the data is where the server just wrote it;
/// cold catch-up from the archive (<see cref="ColdCatchup"/>) goes after this one.
/// </summary>
public sealed class HotCatchup : IWorkload
{
    public string Name => "hot-catchup";

    public bool AppliesTo(SystemUnderTest system) => true;

    /// <summary>The report's grouping key, shared with cold catch-up so that hot and cold land in one table.</summary>
    public static string Workload(CompareSettings s) => $"catchup r{s.CatchupReaders} {Cli.Units.FormatSize(s.CatchupSize)}";

    public static string Summary(IReadOnlyDictionary<string, double> m) =>
        $"{VerbStep.Number(m, "aggregateMBps", "0")} MB/s aggregate, verified {VerbStep.Number(m, "verified", "0")}, "
        + $"{VerbStep.Number(m, "requestsPerReader", "0")} GETs per reader";

    public Task RunAsync(SessionContext context, CancellationToken ct)
    {
        var s = context.Settings;
        return VerbStep.RunAsync(context, Name, "catchup", Workload(s),
            [
                "--readers", s.CatchupReaders.ToString(CultureInfo.InvariantCulture),
                "--size", s.CatchupSize.ToString(CultureInfo.InvariantCulture),
            ],
            m => $"{Summary(m)}, pre-fill {VerbStep.Number(m, "prefillMBps")} MB/s",
            ct);
    }
}
