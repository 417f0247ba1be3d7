// Disaster recovery: the streams of a node rebuilt from the archive alone into an empty
// PostgreSQL. Each restored stream is a stream whose whole range is archived (archived_to = tail),
// located by the manifest entries the objects' footers describe; nothing is copied back out of the
// archive. What the archive does not hold cannot come back: data not archived yet, producer state
// (producers start over), closure, TTLs and deadlines, fork links. A stream whose archived ranges
// do not start at position 0 (a fork's own range) or have gaps is left out and reported.
using Dapper;
using Npgsql;
using Ursula.Archive.Manifest;
using Ursula.Archive.Restore;
using Ursula.Server.State.Archive;

namespace Ursula.Server.State.Postgres;

public static class StreamRestore
{
    public sealed record Result(int Streams, int Ranges, IReadOnlyList<string> Skipped);

    public static async Task<Result> WriteAsync(NpgsqlDataSource dataSource, RestorePlan plan, CancellationToken cancellationToken)
    {
        var store = new PostgresStateStore(dataSource);
        var existing = await store.LoadAsync(cancellationToken);
        if (existing.Streams.Count > 0 || existing.AppliedIndex > 0)
        {
            throw new InvalidOperationException($"restore needs an empty database; this one holds {existing.Streams.Count} streams at log index {existing.AppliedIndex}");
        }

        var skipped = new List<string>();
        var streams = new List<StreamMeta>();
        var entries = new List<ManifestEntry>();
        var restoredPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stream in plan.Streams.OrderByDescending(s => s.StreamId))
        {
            if (stream.Start != 0 || stream.Gaps.Count > 0)
            {
                skipped.Add($"{stream.Path} (stream id {stream.StreamId}): {(stream.Start != 0 ? $"its archive starts at position {stream.Start} (a fork's own range)" : $"{stream.Gaps.Count} gaps in its archive")}");
                continue;
            }

            if (!restoredPaths.Add(stream.Path))
            {
                // An older incarnation of a path that was deleted and created again: the newest wins.
                skipped.Add($"{stream.Path} (stream id {stream.StreamId}): an older incarnation of the path");
                continue;
            }

            var created = stream.Entries[0].WrittenAtMs;
            streams.Add(new StreamMeta(
                stream.StreamId, stream.Path, stream.ContentType, created, null, null, null, created, false, null,
                stream.End, null, null, 0, false, ArchivedTo: stream.End, HotBytes: 0));
            entries.AddRange(stream.Entries);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = new ChangeBatch { AppliedIndex = 0, NextStreamId = plan.Streams.Count == 0 ? 1 : plan.Streams.Max(s => s.StreamId) + 1 };
        var archive = batch.Changes<ArchiveChanges>();
        foreach (var entry in entries)
        {
            archive.Upsert(entry);
        }

        await PostgresStateStore.WriteRestoredAsync(connection, streams, batch, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update ursula_node_state set next_stream_id = @next, updated_at = now()", new { next = batch.NextStreamId }, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new Result(streams.Count, entries.Count, skipped);
    }
}
