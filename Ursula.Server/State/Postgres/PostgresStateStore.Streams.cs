// Stream metadata rows: multi-row upsert through unnest, and the mapping back to StreamMeta.
using Dapper;
using Npgsql;

namespace Ursula.Server.State.Postgres;

public sealed partial class PostgresStateStore
{
    private static Task UpsertStreamsAsync(NpgsqlConnection connection, IEnumerable<StreamMeta> streams, CancellationToken cancellationToken)
    {
        var rows = streams.ToList();
        return connection.ExecuteAsync(new CommandDefinition(
            """
            insert into streams (stream_id, path, content_type, created_at_ms, ttl_seconds, expires_at, expires_at_ms,
                last_access_ms, closed, closed_by_producer, closed_by_epoch, closed_by_seq, tail, last_stream_seq,
                fork_source_id, fork_source_path, fork_position, fork_requested_position, fork_sub_offset, ref_count, soft_deleted,
                archived_to, hot_bytes)
            select * from unnest(@ids, @paths, @types, @created, @ttls, @expires, @expiresMs, @access, @closed,
                @closedBy, @closedEpoch, @closedSeq, @tails, @seqs, @forkIds, @forkPaths, @forkPositions,
                @forkRequested, @forkSubs, @refs, @soft, @archivedTo, @hotBytes)
            on conflict (stream_id) do update set
                ttl_seconds = excluded.ttl_seconds, expires_at = excluded.expires_at, expires_at_ms = excluded.expires_at_ms,
                last_access_ms = excluded.last_access_ms, closed = excluded.closed,
                closed_by_producer = excluded.closed_by_producer, closed_by_epoch = excluded.closed_by_epoch,
                closed_by_seq = excluded.closed_by_seq, tail = excluded.tail, last_stream_seq = excluded.last_stream_seq,
                ref_count = excluded.ref_count, soft_deleted = excluded.soft_deleted,
                archived_to = excluded.archived_to, hot_bytes = excluded.hot_bytes
            """,
            new
            {
                ids = rows.Select(m => m.Id).ToArray(),
                paths = rows.Select(m => m.Path).ToArray(),
                types = rows.Select(m => m.ContentType).ToArray(),
                created = rows.Select(m => m.CreatedAtMs).ToArray(),
                ttls = rows.Select(m => m.TtlSeconds).ToArray(),
                expires = rows.Select(m => m.ExpiresAt).ToArray(),
                expiresMs = rows.Select(m => m.ExpiresAtMs).ToArray(),
                access = rows.Select(m => m.LastAccessMs).ToArray(),
                closed = rows.Select(m => m.Closed).ToArray(),
                closedBy = rows.Select(m => m.ClosedBy?.Id).ToArray(),
                closedEpoch = rows.Select(m => m.ClosedBy?.Epoch).ToArray(),
                closedSeq = rows.Select(m => m.ClosedBy?.Seq).ToArray(),
                tails = rows.Select(m => m.Tail).ToArray(),
                seqs = rows.Select(m => m.LastStreamSeq).ToArray(),
                forkIds = rows.Select(m => m.Fork?.SourceId).ToArray(),
                forkPaths = rows.Select(m => m.Fork?.SourcePath).ToArray(),
                forkPositions = rows.Select(m => m.Fork?.Position).ToArray(),
                forkRequested = rows.Select(m => m.Fork?.RequestedPosition).ToArray(),
                forkSubs = rows.Select(m => m.Fork?.SubOffset).ToArray(),
                refs = rows.Select(m => m.RefCount).ToArray(),
                soft = rows.Select(m => m.SoftDeleted).ToArray(),
                archivedTo = rows.Select(m => m.ArchivedTo).ToArray(),
                hotBytes = rows.Select(m => m.HotBytes).ToArray(),
            },
            cancellationToken: cancellationToken));
    }

    private sealed class StreamRow
    {
        public long stream_id { get; init; }
        public string path { get; init; } = "";
        public string content_type { get; init; } = "";
        public long created_at_ms { get; init; }
        public long? ttl_seconds { get; init; }
        public string? expires_at { get; init; }
        public long? expires_at_ms { get; init; }
        public long last_access_ms { get; init; }
        public bool closed { get; init; }
        public string? closed_by_producer { get; init; }
        public long? closed_by_epoch { get; init; }
        public long? closed_by_seq { get; init; }
        public long tail { get; init; }
        public string? last_stream_seq { get; init; }
        public long? fork_source_id { get; init; }
        public string? fork_source_path { get; init; }
        public long? fork_position { get; init; }
        public long? fork_requested_position { get; init; }
        public long? fork_sub_offset { get; init; }
        public int ref_count { get; init; }
        public bool soft_deleted { get; init; }
        public long archived_to { get; init; }
        public long hot_bytes { get; init; }

        public StreamMeta ToMeta() => new(
            stream_id, path, content_type, created_at_ms, ttl_seconds, expires_at, expires_at_ms, last_access_ms, closed,
            closed_by_producer is null ? null : new ProducerRef(closed_by_producer, closed_by_epoch ?? 0, closed_by_seq ?? 0),
            tail, last_stream_seq,
            fork_source_id is null ? null : new ForkLink(fork_source_id.Value, fork_source_path ?? "", fork_position ?? 0, fork_requested_position ?? 0, fork_sub_offset ?? 0),
            ref_count, soft_deleted, archived_to, hot_bytes);
    }
}
