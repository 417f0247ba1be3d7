// The official suite names most of its streams "/v1/stream/<test>-${Date.now()}". Three runs of it
// against one cluster (one run per node, at the same time) share the cluster's streams, so two runs
// reaching the same test in the same millisecond would collide on a path and fail each other. While
// installed, this preloads (NODE_OPTIONS --import) a module into the suite's node processes that gives
// the run against node i a clock whose milliseconds are all congruent to i modulo the node count: never
// more than two milliseconds off, never equal across runs. Processes aimed at other URLs are untouched.
namespace Ursula.Tests.Cluster;

public sealed class DistinctSuiteClocks : IDisposable
{
    private const string PortsVariable = "URSULA_CLUSTER_SUITE_PORTS";

    private const string Module = """
        // Installed by Ursula.Tests/Cluster/DistinctSuiteClocks.cs for concurrent conformance runs.
        const ports = (process.env.URSULA_CLUSTER_SUITE_PORTS ?? "").split(",").filter(p => p.length > 0)
        const target = process.env.CONFORMANCE_TEST_URL ?? ""
        const index = ports.findIndex(p => target.endsWith(":" + p) || target.endsWith(":" + p + "/"))
        if (index >= 0) {
          const realNow = Date.now.bind(Date)
          const n = ports.length
          Date.now = () => Math.floor(realNow() / n) * n + index
        }
        """;

    private readonly string? previousOptions;
    private readonly string? previousPorts;
    private readonly string directory;

    private DistinctSuiteClocks(IReadOnlyList<Uri> targets)
    {
        directory = Directory.CreateTempSubdirectory("ursula-suite-clock-").FullName;
        var module = Path.Combine(directory, "distinct-clock.mjs");
        File.WriteAllText(module, Module);
        previousOptions = Environment.GetEnvironmentVariable("NODE_OPTIONS");
        previousPorts = Environment.GetEnvironmentVariable(PortsVariable);
        // Child processes (node, and vitest's forked workers) inherit the test process's environment.
        Environment.SetEnvironmentVariable("NODE_OPTIONS", $"{previousOptions} --import={new Uri(module).AbsoluteUri}".Trim());
        Environment.SetEnvironmentVariable(PortsVariable, string.Join(',', targets.Select(t => t.Port)));
    }

    public static DistinctSuiteClocks Install(IReadOnlyList<Uri> targets) => new(targets);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("NODE_OPTIONS", previousOptions);
        Environment.SetEnvironmentVariable(PortsVariable, previousPorts);
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
