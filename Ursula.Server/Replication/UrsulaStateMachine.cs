// DotNext's view of Ursula: log entries in, applied to the stream catalog. The snapshot is the
// state PostgreSQL has made durable, so the WAL is truncated behind what PostgreSQL holds.
using System.Buffers;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Postgres;

namespace Ursula.Server.Replication;

public sealed class UrsulaStateMachine(
    StreamCatalog catalog,
    PostgresSnapshots snapshots,
    IHostApplicationLifetime lifetime,
    ILogger<UrsulaStateMachine> logger) : IStateMachine
{
    /// <summary>The exit code of a node stopped because an entry could not be applied.</summary>
    public const int ApplyFailedExitCode = 70;

    public ISnapshot? Snapshot => snapshots.Current;

    public ValueTask ReclaimGarbageAsync(long watermark, CancellationToken token) => ValueTask.CompletedTask;

    public async ValueTask<long> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsSnapshot)
        {
            // A failure here fails the leader's InstallSnapshot request, which it sends again.
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

        ApplyOutcome[] outcomes;
        try
        {
            outcomes = await catalog.ApplyAsync(entry.Index, entry.Term, batch, token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            // Apply waits out its dependencies itself, so this is a defect. Going on could leave
            // this node's state half-applied and unlike the others': stop, and let the restart
            // replay the entry from PostgreSQL's applied index and the WAL.
            ReplicationLog.ApplyFailed(logger, entry.Index, e);
            Environment.ExitCode = ApplyFailedExitCode;
            lifetime.StopApplication();
            throw;
        }

        snapshots.NoteApplied(entry.Index, entry.Term, payload.Length);
        (entry.Context as PendingBatch)?.Complete(entry.Term, outcomes);
        return entry.Index;
    }
}
