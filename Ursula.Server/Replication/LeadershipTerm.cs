// The term this node leads in, for the entries it proposes. It is the term of the node's newest
// committed entry: DotNext hands out the leadership token only once the leader has committed an
// entry of its own term, and an old leader commits nothing of a later term. It is NOT the
// cluster's current term: on stepping down, DotNext sets the new term in memory, persists it (an
// fsync), and only then leaves the leader state, and an entry stamped with the current term in
// that window would carry the NEW leader's term at an index where the new leader has another
// entry. Raft's log matching would then keep it on this node for good.
// A cluster of one is the exception: DotNext starts it as leader in its persisted term without an
// entry of that term (its committed entries may be older, or none), and with no other member
// nothing can raise its term, so there the cluster's term is the leadership's.
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;

namespace Ursula.Server.Replication;

internal static class LeadershipTerm
{
    /// <summary>The term of this node's leadership; throws <see cref="NotLeaderException"/> when it does not lead.</summary>
    public static async ValueTask<long> ReadAsync(IRaftCluster cluster, CancellationToken cancellationToken)
    {
        var leadership = cluster.LeadershipToken;
        if (leadership.IsCancellationRequested)
        {
            throw new NotLeaderException();
        }

        if (cluster.Members.Count <= 1)
        {
            var single = cluster.Term;
            return leadership.IsCancellationRequested ? throw new NotLeaderException() : single;
        }

        var log = cluster.AuditTrail;
        var committed = log.LastCommittedEntryIndex;
        var term = committed == 0 ? 0 : await log.ReadAsync(TermReader.Instance, committed, committed, cancellationToken);
        if (term == 0 || leadership.IsCancellationRequested)
        {
            throw new NotLeaderException();
        }

        return term;
    }

    private sealed class TermReader : ILogEntryConsumer<IRaftLogEntry, long>
    {
        public static readonly TermReader Instance = new();

        public bool LogEntryMetadataOnly => true;

        public ValueTask<long> ReadAsync<TEntry, TList>(TList entries, long? snapshotIndex, CancellationToken token)
            where TEntry : IRaftLogEntry
            where TList : IReadOnlyList<TEntry> =>
            new(entries[0].Term);
    }
}
