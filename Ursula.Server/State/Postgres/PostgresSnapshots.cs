// The Raft snapshot of a node is its PostgreSQL state. The snapshot index tells DotNext how much of
// the WAL it may drop: never past what PostgreSQL has made durable, and kept a retention window
// behind the newest entry, so that a follower that lags a little catches up from the log instead
// of receiving the whole database. A follower that fell further behind receives the leader's
// tables and replaces its own with them.
using System.Diagnostics;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Npgsql;

namespace Ursula.Server.State.Postgres;

public sealed partial class PostgresSnapshots(
    NpgsqlDataSource dataSource,
    StreamCatalog catalog,
    PostgresStateStore store,
    FlushGate gate,
    long retainLogBytes,
    IHostApplicationLifetime lifetime,
    ILogger<PostgresSnapshots> logger)
{
    private readonly Lock retention = new();
    private readonly Queue<(long Index, long Term, long Bytes)> appliedEntries = new();
    private long appliedBytes;
    private long flushedIndex;
    private PostgresSnapshot? current;
    private readonly CancellationToken stopping = lifetime.ApplicationStopping;
    private int installs;
    private int installing;
    private int exports;
    private long exportPinnedUntil;

    /// <summary>
    /// How long after sending a snapshot the snapshot index stays where it was: the follower that
    /// installed it continues from the entry after it, which must still be in this node's log. If the
    /// log moved on during the transfer, the follower would need another snapshot, and another.
    /// </summary>
    public static readonly TimeSpan ExportGrace = TimeSpan.FromSeconds(30);

    /// <summary>Bumped (under the flush gate) whenever a snapshot replaced the whole state.</summary>
    public int Installs => Volatile.Read(ref installs);

    /// <summary>True while a snapshot from the leader replaces this node's state (the node is not ready).</summary>
    public bool IsInstalling => Volatile.Read(ref installing) > 0;

    /// <summary>The highest log index PostgreSQL has committed.</summary>
    public long FlushedIndex => Interlocked.Read(ref flushedIndex);

    public ISnapshot? Current => Volatile.Read(ref current);

    /// <summary>Counts an applied entry's size toward the retention window (apply thread).</summary>
    public void NoteApplied(long index, long term, long bytes)
    {
        lock (retention)
        {
            appliedBytes += bytes;
            appliedEntries.Enqueue((index, term, appliedBytes));
        }
    }

    /// <summary>Called after state up to <paramref name="index"/> is committed in PostgreSQL.</summary>
    public void Advance(long index, long term)
    {
        if (index <= FlushedIndex)
        {
            return;
        }

        Interlocked.Exchange(ref flushedIndex, index);
        if (Volatile.Read(ref exports) > 0 || Stopwatch.GetTimestamp() < Volatile.Read(ref exportPinnedUntil))
        {
            return;
        }

        lock (retention)
        {
            // The newest flushed entry that still leaves the retention window of log after it.
            (long Index, long Term)? candidate = null;
            while (appliedEntries.TryPeek(out var oldest) && oldest.Index <= index && appliedBytes - oldest.Bytes >= retainLogBytes)
            {
                appliedEntries.Dequeue();
                candidate = (oldest.Index, oldest.Term);
            }

            if (candidate is { } at && at.Index > (Current?.Index ?? 0))
            {
                Volatile.Write(ref current, new PostgresSnapshot(this, at.Index, at.Term));
            }
        }
    }

    /// <summary>Set at start from what PostgreSQL holds, before the WAL is opened.</summary>
    public void Initialize(long index, long term)
    {
        Interlocked.Exchange(ref flushedIndex, index);
        Volatile.Write(ref current, index > 0 ? new PostgresSnapshot(this, index, term) : null);
    }

    /// <summary>After a snapshot install the node's state starts over at that index.</summary>
    private void Reset(long index, long term)
    {
        Interlocked.Increment(ref installs);
        lock (retention)
        {
            appliedEntries.Clear();
            appliedBytes = 0;
        }

        Initialize(index, term);
    }

    private sealed class PostgresSnapshot(PostgresSnapshots owner, long index, long term) : ISnapshot
    {
        public long Index { get; } = index;

        public long Term { get; } = term;

        public bool IsReusable => true;

        public long? Length => null;

        public ValueTask WriteToAsync<TWriter>(TWriter writer, CancellationToken token)
            where TWriter : IAsyncBinaryWriter
            => owner.ExportAsync(writer, token);
    }
}
