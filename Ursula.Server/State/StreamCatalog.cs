// The replicated state of every stream on this node, mutated only by apply (one thread, in log
// order) and read concurrently by request handlers through published StreamMeta snapshots.
// Apply is deterministic: it reads the leader's timestamp from the entry, never this node's clock.
using System.Collections.Concurrent;
using Ursula.Server.State.Commands;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog(HotTailBudget budget)
{
    private readonly ConcurrentDictionary<string, StreamHandle> byPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, StreamHandle> byId = new();
    private readonly ConcurrentQueue<ChangeBatch> applied = new();
    private ChangeBatch current = new();
    private ChangeBatch baseline = new();
    private long nextStreamId = 1;
    private long clockMs;
    private long appliedIndex;
    private long appliedTerm;

    public long AppliedIndex => Volatile.Read(ref appliedIndex);

    public long AppliedTerm => Volatile.Read(ref appliedTerm);

    public int StreamCount => byPath.Count;

    /// <summary>Pulsed after every applied entry (wakes read-your-writes waiters).</summary>
    public StreamSignal AppliedSignal { get; } = new();

    public bool TryGet(string path, out StreamHandle handle) => byPath.TryGetValue(path, out handle!);

    public bool TryGetById(long id, out StreamHandle handle) => byId.TryGetValue(id, out handle!);

    public IEnumerable<StreamHandle> Streams => byPath.Values;

    /// <summary>The streams, enumerated in place: unlike <see cref="Streams"/> no lock is taken and nothing is copied (for incremental scans).</summary>
    public IEnumerable<StreamHandle> EnumerateStreams() => byPath.Select(p => p.Value);

    /// <summary>Restores the state PostgreSQL holds (at start, or after installing a snapshot).</summary>
    public void Load(CatalogState state)
    {
        foreach (var old in byId.Values)
        {
            // Readers of the replaced state end; they reconnect and read the new one.
            old.Removed = true;
            old.Signal.Pulse();
        }

        byPath.Clear();
        byId.Clear();
        foreach (var meta in state.Streams)
        {
            var handle = new StreamHandle(meta, meta.Tail);
            byId[meta.Id] = handle;
            byPath[meta.Path] = handle;
        }

        foreach (var (streamId, producerId, producer) in state.Producers)
        {
            if (byId.TryGetValue(streamId, out var handle))
            {
                handle.Producers[producerId] = producer;
            }
        }

        LoadProducerClock();

        LoadArchive(state);
        LoadSubscriptions(state);
        nextStreamId = state.NextStreamId;
        clockMs = state.ClockMs;
        Volatile.Write(ref appliedIndex, state.AppliedIndex);
        Volatile.Write(ref appliedTerm, state.AppliedTerm);
        applied.Clear();
        baseline = new ChangeBatch { AppliedIndex = state.AppliedIndex, AppliedTerm = state.AppliedTerm, NextStreamId = nextStreamId, ClockMs = clockMs };
    }

    /// <summary>Applies one log entry. Called in log order, one entry at a time.</summary>
    public async ValueTask<ApplyOutcome[]> ApplyAsync(long index, long term, CommandBatch batch, CancellationToken cancellationToken)
    {
        if (index <= AppliedIndex)
        {
            // Already in PostgreSQL (the WAL replays from its own snapshot point): a no-op.
            return [];
        }

        clockMs = Math.Max(clockMs, batch.TimestampMs);
        current = new ChangeBatch();
        var outcomes = new ApplyOutcome[batch.Commands.Count];
        var touched = new HashSet<StreamHandle>();
        var context = new ApplyContext(this, index, touched, cancellationToken);
        for (var i = 0; i < outcomes.Length; i++)
        {
            var outcome = await batch.Commands[i].ApplyAsync(context);
            outcomes[i] = outcome with { LogIndex = index };
        }

        current.AppliedIndex = index;
        current.AppliedTerm = term;
        current.NextStreamId = nextStreamId;
        current.ClockMs = clockMs;
        applied.Enqueue(current);

        Volatile.Write(ref appliedTerm, term);
        Volatile.Write(ref appliedIndex, index);
        foreach (var handle in touched)
        {
            handle.Signal.Pulse();
        }

        budget.Trim();
        AppliedSignal.Pulse();
        if (subscriptionChanged)
        {
            subscriptionChanged = false;
            SubscriptionSignal.Pulse();
        }
        return outcomes;
    }

    /// <summary>Waits until this node has applied the entry at <paramref name="index"/>; false on timeout.</summary>
    public async Task<bool> WaitForAppliedAsync(long index, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            var pulse = AppliedSignal.NextPulse;
            if (AppliedIndex >= index)
            {
                return true;
            }

            try
            {
                await pulse.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return AppliedIndex >= index;
            }
        }
    }

    /// <summary>Hands the changes applied so far to the flusher, folded into one batch.</summary>
    public ChangeBatch TakeChanges()
    {
        var taken = new ChangeBatch
        {
            AppliedIndex = baseline.AppliedIndex,
            AppliedTerm = baseline.AppliedTerm,
            NextStreamId = baseline.NextStreamId,
            ClockMs = baseline.ClockMs,
        };
        while (applied.TryDequeue(out var entry))
        {
            taken.Absorb(entry);
        }

        baseline = taken;
        return taken;
    }

    /// <summary>Like <see cref="TakeChanges"/>, folded into an older batch that has not been written yet.</summary>
    public ChangeBatch TakeChangesMergedAfter(ChangeBatch? older)
    {
        var newer = TakeChanges();
        if (older is null)
        {
            return newer;
        }

        older.Absorb(newer);
        return older;
    }

    private void Publish(StreamHandle handle, StreamMeta meta, HashSet<StreamHandle> touched)
    {
        Interlocked.Add(ref hotBytes, meta.HotBytes - handle.Meta.HotBytes);
        handle.Meta = meta;
        touched.Add(handle);
        current.Upsert(meta);
    }
}
