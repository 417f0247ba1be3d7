// The Raft snapshot of a node is its PostgreSQL state: the snapshot index is the highest log index
// PostgreSQL has made durable, which lets the WAL drop everything behind it. A follower that fell
// behind the truncated WAL receives the leader's tables and replaces its own with them.
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Npgsql;

namespace Ursula.Server.State.Postgres;

public sealed partial class PostgresSnapshots(
    NpgsqlDataSource dataSource,
    StreamCatalog catalog,
    PostgresStateStore store,
    FlushGate gate,
    ILogger<PostgresSnapshots> logger)
{
    private PostgresSnapshot? current;

    public long FlushedIndex => Volatile.Read(ref current)?.Index ?? 0;

    public ISnapshot? Current => Volatile.Read(ref current);

    /// <summary>Called after state up to <paramref name="index"/> is committed in PostgreSQL.</summary>
    public void Advance(long index, long term)
    {
        if (index > FlushedIndex)
        {
            Volatile.Write(ref current, new PostgresSnapshot(this, index, term));
        }
    }

    /// <summary>Set at start from what PostgreSQL holds, before the WAL is opened.</summary>
    public void Initialize(long index, long term)
    {
        Volatile.Write(ref current, index > 0 ? new PostgresSnapshot(this, index, term) : null);
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
