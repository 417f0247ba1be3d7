// A cluster whose every node runs with an FsyncGate around its WAL flushes: the tests close and
// open gates to hold a node's flushes. Gates are opened before the cluster stops, so that no node
// is left blocked in a flush, and released after.
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Cluster;

public abstract class FsyncGatedClusterTestBase(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    protected FsyncGate[] Gates { get; } = [new(), new(), new()];

    protected override IReadOnlyDictionary<string, string> NodeEnvironment(int node) => Gates[node].Environment();

    public override async ValueTask DisposeAsync()
    {
        foreach (var gate in Gates)
        {
            gate.Open();
        }

        await base.DisposeAsync();
        foreach (var gate in Gates)
        {
            gate.Dispose();
        }
    }
}
