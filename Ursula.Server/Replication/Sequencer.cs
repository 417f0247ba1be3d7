// The leader's sequencer: commands that arrive together become one Raft log entry (group commit),
// entries replicate while the next batch forms, and each waiter is answered by the leader's own
// apply of its command. A follower hands its commands to the leader through the forwarder.
using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.Extensions.Options;
using Ursula.Server.Replication.Forwarding;
using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Replication;

public sealed partial class Sequencer(
    IRaftCluster cluster,
    LeaderForwarder forwarder,
    HotTailBudget budget,
    Archiving.HotCeiling ceiling,
    TimeProvider time,
    IOptions<SequencerOptions> options,
    ILogger<Sequencer> logger) : BackgroundService, ICommandSubmitter
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private readonly SequencerOptions options = options.Value;
    private readonly Channel<PendingCommand> queue = Channel.CreateBounded<PendingCommand>(
        new BoundedChannelOptions(65_536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ConcurrentDictionary<long, byte> pendingTouches = new();
    private readonly TouchGate touchGate = new(time);

    public bool IsLeader => !cluster.LeadershipToken.IsCancellationRequested;

    public bool MayBeBehind => !IsLeader;

    public ValueTask<ApplyOutcome> SubmitAsync(Command command, CancellationToken cancellationToken) =>
        IsLeader ? SubmitAsLeaderAsync(command, cancellationToken) : forwarder.SubmitAsync(command, cancellationToken);

    /// <summary>Sequences a command on this node, which must be the leader.</summary>
    public async ValueTask<ApplyOutcome> SubmitAsLeaderAsync(Command command, CancellationToken cancellationToken)
    {
        if (!IsLeader)
        {
            throw new ServiceUnavailableException("This node lost leadership; retry shortly", RetryAfter);
        }

        if (command is AppendStreamCommand { Body.IsEmpty: false } or CreateStreamCommand { Body.IsEmpty: false })
        {
            if (budget.IsOverloaded)
            {
                throw new ServiceUnavailableException("PostgreSQL is behind (slow or unreachable); writes resume when it catches up", TimeSpan.FromSeconds(2));
            }

            if (ceiling.IsReached)
            {
                throw new ServiceUnavailableException($"{ceiling.Reason}; writes resume as it catches up", TimeSpan.FromSeconds(5));
            }
        }

        var completion = new TaskCompletionSource<ApplyOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await queue.Writer.WriteAsync(new PendingCommand(command, completion), cancellationToken);
        try
        {
            return await completion.Task.WaitAsync(options.CommitTimeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new ServiceUnavailableException("The write was not committed in time; its outcome is unknown, retry with the same producer headers to be safe", RetryAfter, e);
        }
    }

    public void Touch(StreamMeta meta)
    {
        // At most one touch per stream per sixteenth of its TTL, on the leader and on a follower
        // alike; on the leader, also at most one waiting in the queue.
        if (!touchGate.ShouldTouch(meta))
        {
            return;
        }

        if (!IsLeader)
        {
            if (!forwarder.Post(new TouchStreamCommand(meta.Path, meta.Id)))
            {
                touchGate.Forget(meta.Id);
            }

            return;
        }

        if (!pendingTouches.TryAdd(meta.Id, 0))
        {
            return;
        }

        if (!queue.Writer.TryWrite(new PendingCommand(new TouchStreamCommand(meta.Path, meta.Id), null)))
        {
            pendingTouches.TryRemove(meta.Id, out _);
            touchGate.Forget(meta.Id);
        }
    }

    /// <summary>
    /// Read barrier: returns once this node has applied everything the leader had committed when
    /// it was called, so that a read here sees writes acknowledged through any other node.
    /// </summary>
    public async ValueTask SyncWithLeaderAsync(CancellationToken cancellationToken)
    {
        if (IsLeader)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.CommitTimeout);
        try
        {
            await cluster.ApplyReadBarrierAsync(limit.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Quorum lost, the leader unreachable or failing (MemberUnavailableException, a
            // RaftProtocolException for its status code), a timeout, or shutdown: during a
            // failover the barrier cannot be had now, and a read may simply be retried.
            throw new ServiceUnavailableException("No leader is reachable to confirm this node is up to date; retry shortly", RetryAfter, e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        var inFlight = new List<Task>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                // The next batch forms while up to the limit of entries are being made durable.
                var limit = cluster.Members.Count > 1 ? options.MaxInFlightReplicated : options.MaxInFlight;
                inFlight.RemoveAll(t => t.IsCompleted);
                while (inFlight.Count >= limit)
                {
                    await Task.WhenAny(inFlight).WaitAsync(stoppingToken);
                    inFlight.RemoveAll(t => t.IsCompleted);
                }

                var batch = new List<PendingCommand>();
                long bytes = 0;
                while (batch.Count < options.MaxCommandsPerEntry && bytes < options.MaxEntryBytes && reader.TryRead(out var next))
                {
                    batch.Add(next);
                    bytes += EstimateSize(next.Command);
                    if (next.Command is TouchStreamCommand touch)
                    {
                        pendingTouches.TryRemove(touch.StreamId, out _);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                Diagnostics.UrsulaMetrics.BatchCommands.Record(batch.Count);
                inFlight.Add(ReplicateAsync(batch, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(inFlight);
        while (reader.TryRead(out var left))
        {
            left.Completion?.TrySetException(new ServiceUnavailableException("The node is shutting down", RetryAfter));
        }
    }

    private async Task ReplicateAsync(List<PendingCommand> batch, CancellationToken stoppingToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        PendingBatch? pending = null;
        var replicateStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            // The entry carries the term this node leads in, never the cluster's current term (see
            // LeadershipTerm); if the applied entry at its index has another term, its waiters are
            // answered 503, never another's outcome.
            var term = await LeadershipTerm.ReadAsync(cluster, stoppingToken);
            pending = new PendingBatch(batch, term);
            var commands = batch.ConvertAll(p => p.Command);
            CommandCodec.Write(buffer, time.GetUtcNow().ToUnixTimeMilliseconds(), commands);

            // Returns once the entry is committed and applied here. Committed means on disk on a
            // majority: DotNext commits an index only after this node's own WAL flush covers it, and
            // a follower answers an append only once its WAL is flushed (FollowerFlushingLog).
            await cluster.ReplicateAsync(new BinaryLogEntry { Content = buffer.WrittenMemory, Term = term, Context = pending }, stoppingToken);
            Diagnostics.UrsulaMetrics.ReplicateDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(replicateStarted).TotalSeconds);
            TellFollowersOfCommit();
            if (!pending.Release())
            {
                pending.Fail(new ServiceUnavailableException("The write was not applied; retry", RetryAfter));
            }
        }
        catch (Exception e) when (e is NotLeaderException or QuorumUnreachableException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // An entry applied here was committed, so it is on disk on a majority: that outcome
            // stands even though the wait for it failed.
            if (pending?.Release() == true)
            {
                return;
            }

            ReplicationLog.ReplicationFailed(logger, batch.Count, e.GetType().Name, e is NotLeaderException or QuorumUnreachableException or OperationCanceledException ? null : e);
            (pending ?? new PendingBatch(batch, 0)).Fail(new ServiceUnavailableException(
                "Leadership changed while the write replicated; its outcome is unknown, retry with the same producer headers to be safe",
                RetryAfter,
                e));
        }
    }

    /// <summary>
    /// Followers learn of a commit from the next round, and apply it then; a write forwarded by a
    /// follower is answered once that follower has applied it. With more writes queued, the next
    /// entry's round carries the commit index at once; otherwise a round is started now rather than
    /// waiting for the next heartbeat. The client's answer does not wait for it: the commit already
    /// means a majority has the entry on disk.
    /// </summary>
    private void TellFollowersOfCommit()
    {
        if (cluster.Members.Count > 1 && queue.Reader.Count == 0)
        {
            _ = NudgeAsync(cluster);
        }

        static async Task NudgeAsync(IRaftCluster cluster)
        {
            try
            {
                await cluster.ForceReplicationAsync(CancellationToken.None);
            }
            catch (Exception)
            {
                // Leadership lost or the node stopping: the followers learn the commit from whoever leads next.
            }
        }
    }

    private static long EstimateSize(Command command) => CommandCodec.SizeOf(command);
}
