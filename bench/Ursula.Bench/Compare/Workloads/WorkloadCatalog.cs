namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// The workloads of a comparison run, in the order a session runs them. The SignalR hub fan-out
/// runs right after <see cref="SseFanout"/> (same node, same subscriber count and rate, Ursula
/// only). Extension point, kept in its place in the order: cold catch-up (data only in the
/// archive, filesystem and S3) right after <see cref="HotCatchup"/>. A workload that needs the
/// system started differently (e.g. with an archive) adds a system variant in SystemCatalog, or,
/// like cold catch-up, reconfigures the session's node (UrsulaSingle.ReconfigureAsync) and runs last.
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
        // Cold catch-up replaces the session's node (with one that archives at once), so it goes last.
        new ColdCatchup(ColdStore.Filesystem),
        new ColdCatchup(ColdStore.S3),
    ];

    /// <summary>The workloads of a memory session (a freshly started node).</summary>
    public static IReadOnlyList<IWorkload> Memory { get; } = [new MemoryFootprint()];

    public static IEnumerable<string> Names => Rounds.Concat(Memory).Select(w => w.Name);

    /// <summary>Names for --workloads that stand for several workloads: "catchup" = hot and both cold catch-ups.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Families { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
    {
        ["catchup"] = ["hot-catchup", "cold-catchup-fs", "cold-catchup-s3"],
        ["cold-catchup"] = ["cold-catchup-fs", "cold-catchup-s3"],
        ["append"] = ["append-peak", "append-half-peak"],
    };

    /// <summary>
    /// The workload names a --workloads value selects: names and families expanded, duplicates
    /// dropped, "all" kept as it is; an unknown name is a usage error.
    /// </summary>
    public static IReadOnlyList<string> Select(IEnumerable<string> requested)
    {
        var known = Names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var selected = new List<string>();
        foreach (var name in requested)
        {
            IEnumerable<string> names = Families.TryGetValue(name, out var family) ? family
                : known.Contains(name) || string.Equals(name, CompareSettings.AllWorkloads, StringComparison.OrdinalIgnoreCase) ? [name.ToLowerInvariant()]
                : throw new Cli.UsageException($"unknown workload '{name}' (known: {string.Join(", ", Names)}, families: {string.Join(", ", Families.Keys)}, or {CompareSettings.AllWorkloads})");
            selected.AddRange(names.Where(n => !selected.Contains(n, StringComparer.OrdinalIgnoreCase)));
        }

        return selected;
    }
}
