// Raft's rule for a follower: persist the entries, then acknowledge them. DotNext's WAL appends a
// leader's entries to its pages and flushes them in the background, and the follower answers the
// AppendEntries at once; the leader counts that answer towards a commit, applies the entry (Ursula
// writes it to PostgreSQL) and keeps it in its own WAL as committed for good. Were every node to
// crash before the followers flushed, a new leader would put another entry at that index and the
// old leader would keep its own copy forever (MajorityLossTests). So this log flushes the entries
// of an AppendEntries before DotNext answers it, and a commit on the leader means a majority has
// the entry on disk.
// DotNext handles an AppendEntries by appending its entries (the producer AppendAsync, which
// nothing else calls) and then committing up to the leader's commit index, both under its
// transition lock (one AppendEntries at a time, so no two waits on the WAL's single-waiter flush
// event overlap) and inside the scope in which a follower's election timer cannot fire, so a slow
// disk makes a busy follower (which the leader waits for, RaftBusyPeerLimit), not a candidate. The
// flush waits for the end of that commit: one flush cycle then writes the entries and a checkpoint
// with the new commit index, where flushing right after the append would leave the commit's own
// checkpoint to a second cycle.
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Ursula.Server.Replication;

public sealed class FollowerFlushingLog(WriteAheadLog.Options options, IStateMachine stateMachine)
    : WriteAheadLog(options, stateMachine), IAuditTrail<IRaftLogEntry>
{
    // Set by an AppendEntries' append and taken by the commit DotNext makes right after it, under
    // the same lock; a leader's own commits find it clear.
    private bool appendedUnflushed;

    async ValueTask IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(ILogEntryProducer<TEntry> entries, long startIndex, bool skipCommitted, CancellationToken token)
    {
        var any = entries.RemainingCount > 0;
        appendedUnflushed = false;
        await AppendAsync(entries, startIndex, skipCommitted, token);
        appendedUnflushed = any;
    }

    async ValueTask<long> IAuditTrail.CommitAsync(long endIndex, CancellationToken token)
    {
        var flush = appendedUnflushed;
        appendedUnflushed = false;
        var committed = await CommitAsync(endIndex, token);
        if (flush)
        {
            await FlushAsync(token);
        }

        return committed;
    }
}
