// DotNext's view of Ursula: log entries in, applied to the stream catalog. The snapshot is the
// state PostgreSQL has made durable, so the WAL is truncated behind what PostgreSQL holds.
using System.Buffers;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Postgres;

namespace Ursula.Server.Replication;

public sealed class UrsulaStateMachine(StreamCatalog catalog, PostgresSnapshots snapshots, ILogger<UrsulaStateMachine> logger) : IStateMachine
{
    public ISnapshot? Snapshot => snapshots.Current;

    public ValueTask ReclaimGarbageAsync(long watermark, CancellationToken token) => ValueTask.CompletedTask;

    public async ValueTask<long> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsSnapshot)
        {
            return await snapshots.InstallAsync(entry, token);
        }

        if (!entry.TryGetPayload(out var payload) || payload.IsEmpty)
        {
            // Membership changes and leader no-ops carry nothing for the streams.
            return entry.Index;
        }

        var bytes = payload.IsSingleSegment ? payload.First : payload.ToArray();
        CommandBatch batch;
        try
        {
            batch = CommandCodec.Decode(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            // Throwing would poison the WAL for good; a corrupt entry is logged and skipped.
            ReplicationLog.CorruptEntry(logger, entry.Index, e);
            (entry.Context as PendingBatch)?.Fail(new InvalidOperationException("The log entry could not be decoded."));
            return entry.Index;
        }

        var outcomes = await catalog.ApplyAsync(entry.Index, entry.Term, batch, token);
        snapshots.NoteApplied(entry.Index, entry.Term, payload.Length);
        (entry.Context as PendingBatch)?.Complete(outcomes);
        return entry.Index;
    }
}
