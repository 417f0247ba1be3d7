using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// One workload of a session. It runs against the system of <see cref="SessionContext"/>, which
/// is the only one running, and saves its results through <see cref="SessionContext.MeasureAsync"/>.
/// New workloads are a class and a line in <see cref="WorkloadCatalog"/>.
/// </summary>
public interface IWorkload
{
    /// <summary>Short name, for --workloads and the log (e.g. "append-peak").</summary>
    string Name { get; }

    /// <summary>False for a system the workload means nothing on (e.g. the SignalR hub on the reference server).</summary>
    bool AppliesTo(SystemUnderTest system);

    Task RunAsync(SessionContext context, CancellationToken ct);
}
