// Observable gauges over the node's state, read at each scrape: Raft role, term and indexes, the
// backlog PostgreSQL and the archive have yet to take, hot-tail memory, streams. Created once when
// the host starts; nothing here runs between scrapes.
using System.Diagnostics.Metrics;
using DotNext.Net.Cluster.Consensus.Raft;
using Ursula.Server.Diagnostics;
using Ursula.Server.Replication.Archiving;
using Ursula.Server.State;
using Ursula.Server.State.Postgres;

namespace Ursula.Server.Hosting.Observability;

internal sealed class NodeGauges(IRaftCluster cluster, StreamCatalog catalog, PostgresSnapshots snapshots, HotTailBudget budget, ArchiveStatus archive, StorageHealth storage)
{
    private static readonly string[] Roles = ["leader", "follower", "candidate"];

    public void Register()
    {
        var meter = UrsulaMetrics.Meter;
        meter.CreateObservableGauge("ursula.raft.role", ObserveRole, "{role}", "1 for this node's current Raft role (leader, follower, candidate), 0 for the others");
        meter.CreateObservableGauge("ursula.raft.leader.known", () => cluster.Leader is null ? 0 : 1, "{leader}", "1 when this node knows a leader");
        meter.CreateObservableGauge("ursula.raft.term", () => cluster.AuditTrail.Term, "{term}", "The Raft term this node is in");
        meter.CreateObservableGauge("ursula.raft.commit.index", () => cluster.AuditTrail.LastCommittedEntryIndex, "{entry}", "The newest log entry known committed");
        meter.CreateObservableGauge("ursula.raft.last.index", () => cluster.AuditTrail.LastEntryIndex, "{entry}", "The newest log entry in this node's WAL");
        meter.CreateObservableGauge("ursula.raft.apply.index", () => catalog.AppliedIndex, "{entry}", "The newest log entry applied to this node's state");
        meter.CreateObservableGauge("ursula.raft.apply.lag", () => Math.Max(0, cluster.AuditTrail.LastCommittedEntryIndex - catalog.AppliedIndex), "{entry}", "Committed entries not yet applied here");
        meter.CreateObservableGauge("ursula.raft.members", () => cluster.Members.Count, "{member}", "Members in this node's configuration");
        meter.CreateObservableGauge("ursula.postgres.durable.index", () => snapshots.FlushedIndex, "{entry}", "The newest applied entry written into PostgreSQL");
        meter.CreateObservableGauge("ursula.postgres.flush.backlog", () => Math.Max(0, catalog.AppliedIndex - snapshots.FlushedIndex), "{entry}", "Applied entries not yet written into PostgreSQL (replayed from the WAL after a crash)");
        meter.CreateObservableGauge("ursula.postgres.healthy", () => storage.IsHealthy ? 1 : 0, "{state}", "0 while PostgreSQL refuses this node's writes");
        meter.CreateObservableGauge("ursula.snapshot.installing", () => snapshots.IsInstalling ? 1 : 0, "{state}", "1 while this node installs a snapshot of the leader's state");
        meter.CreateObservableGauge("ursula.hot_tail.bytes", () => budget.Bytes, "By", "Memory held by recent records of all streams");
        meter.CreateObservableGauge("ursula.sse.shared_frame.bytes", () => budget.SharedFrameBytes, "By", "Encoded SSE data events kept for live readers to share (counted against the hot-tail budget)");
        meter.CreateObservableGauge("ursula.streams", () => catalog.StreamCount, "{stream}", "Streams on this node");
        meter.CreateObservableGauge("ursula.archive.backlog.bytes", () => catalog.HotBytes, "By", "Payload bytes not yet archived (kept in PostgreSQL)");
        meter.CreateObservableGauge("ursula.archive.failing", () => archive.IsFailing ? 1 : 0, "{state}", "1 while the last archive round failed");
        meter.CreateObservableCounter("ursula.archive.objects", () => archive.ObjectsWritten, "{object}", "Archive objects written by this node");
    }

    private IEnumerable<Measurement<int>> ObserveRole()
    {
        var role = !cluster.LeadershipToken.IsCancellationRequested ? "leader" : cluster.Leader is null ? "candidate" : "follower";
        foreach (var r in Roles)
        {
            yield return new Measurement<int>(r == role ? 1 : 0, new KeyValuePair<string, object?>("role", r));
        }
    }
}
