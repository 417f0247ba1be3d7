namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// The workloads of a comparison run, in the order a session runs them. The SignalR hub fan-out
/// runs right after <see cref="SseFanout"/> (same node, same subscriber count and rate, Ursula
/// only). Extension point, kept in its place in the order: cold catch-up (data only in the
/// archive, filesystem and S3) right after <see cref="HotCatchup"/>. A workload that needs the
/// system started differently (e.g. with an archive) adds a system variant in SystemCatalog.
/// </summary>
public static class WorkloadCatalog
{
    /// <summary>The measured workloads of every round session, after its warm-up.</summary>
    public static IReadOnlyList<IWorkload> Rounds { get; } =
    [
        new AppendPeak(),
        new AppendHalfPeak(),
        new SseFanout(),
        new HubFanout(),
        new HotCatchup(),
        // Cold catch-up (filesystem and S3 archive) goes here.
    ];

    /// <summary>The workloads of a memory session (a freshly started node).</summary>
    public static IReadOnlyList<IWorkload> Memory { get; } = [new MemoryFootprint()];

    public static IEnumerable<string> Names => Rounds.Concat(Memory).Select(w => w.Name);
}
