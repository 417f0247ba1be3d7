// Raft's rule for a follower: persist the entries, then acknowledge them. DotNext's WAL appends a
// leader's entries to its pages and flushes them in the background, and the follower answers the
// AppendEntries at once; the leader counts that answer towards a commit, applies the entry (Ursula
// writes it to PostgreSQL) and keeps it in its own WAL as committed for good. Were every node to
// crash before the followers flushed, a new leader would put another entry at that index and the
// old leader would keep its own copy forever (MajorityLossTests). So this log flushes the entries
// of an AppendEntries before the append returns, and a commit on the leader means a majority has
// the entry on disk.
// The flush runs inside the append DotNext makes while it handles the AppendEntries: under its
// transition lock (one AppendEntries at a time, so no two waits on the WAL's single-waiter flush
// event overlap, nor one and that message's commit), and inside the scope in which a follower's
// election timer cannot fire, so a slow disk makes a busy follower (which the leader waits for,
// RaftBusyPeerLimit), not a candidate. Only AppendEntries appends through this overload; a
// leader's own entries and snapshots use others and are flushed when DotNext commits.
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Ursula.Server.Replication;

public sealed class FollowerFlushingLog(WriteAheadLog.Options options, IStateMachine stateMachine)
    : WriteAheadLog(options, stateMachine), IAuditTrail<IRaftLogEntry>
{
    async ValueTask IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(ILogEntryProducer<TEntry> entries, long startIndex, bool skipCommitted, CancellationToken token)
    {
        var any = entries.RemainingCount > 0;
        await AppendAsync(entries, startIndex, skipCommitted, token);
        if (any)
        {
            await FlushAsync(token);
        }
    }
}
