// What apply changed in the archive manifest since the last flush, kept as final states so that a
// failed flush folds newer changes in: manifest entries written or replaced, streams whose entries
// all go (the stream was removed), records that moved to the archive, and the garbage list of
// objects holding rows of removed streams. Every statement is idempotent.
using Dapper;
using Npgsql;
using Ursula.Archive.Manifest;

namespace Ursula.Server.State.Archive;

public sealed class ArchiveChanges : IChangeSet
{
    private readonly Dictionary<(long StreamId, long Start), ManifestEntry> upserts = [];
    private readonly HashSet<long> removedStreams = [];
    private readonly Dictionary<long, long> archivedBelow = [];
    private readonly Dictionary<(string Key, long StreamId), long> garbageAdded = [];
    private readonly HashSet<string> garbageDropped = new(StringComparer.Ordinal);

    public bool IsEmpty => upserts.Count == 0 && removedStreams.Count == 0 && archivedBelow.Count == 0 && garbageAdded.Count == 0 && garbageDropped.Count == 0;

    /// <summary>An entry now holds [Start, End) of its stream (new, or pointing at a rewritten object).</summary>
    public void Upsert(ManifestEntry entry) => upserts[(entry.StreamId, entry.Start)] = entry;

    /// <summary>The stream's records below <paramref name="position"/> live in the archive now.</summary>
    public void Archived(long streamId, long position) =>
        archivedBelow[streamId] = Math.Max(position, archivedBelow.GetValueOrDefault(streamId));

    /// <summary>The stream is gone: its entries leave the manifest (their objects' rows are garbage).</summary>
    public void RemoveStream(long streamId)
    {
        removedStreams.Add(streamId);
        archivedBelow.Remove(streamId);
        foreach (var key in upserts.Keys.Where(k => k.StreamId == streamId).ToList())
        {
            upserts.Remove(key);
        }
    }

    public void AddGarbage(string objectKey, long objectSize, long streamId) => garbageAdded[(objectKey, streamId)] = objectSize;

    /// <summary>The object is compacted away: nothing of it is garbage any more.</summary>
    public void DropGarbage(string objectKey)
    {
        garbageDropped.Add(objectKey);
        foreach (var key in garbageAdded.Keys.Where(k => k.Key == objectKey).ToList())
        {
            garbageAdded.Remove(key);
        }
    }

    public void Absorb(IChangeSet newer)
    {
        var changes = (ArchiveChanges)newer;
        foreach (var stream in changes.removedStreams)
        {
            RemoveStream(stream);
        }

        foreach (var key in changes.garbageDropped)
        {
            DropGarbage(key);
        }

        foreach (var (key, entry) in changes.upserts)
        {
            upserts[key] = entry;
        }

        foreach (var (stream, below) in changes.archivedBelow)
        {
            Archived(stream, below);
        }

        foreach (var (key, size) in changes.garbageAdded)
        {
            garbageAdded[key] = size;
        }
    }

    public async Task WriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (removedStreams.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "delete from archive_manifest where stream_id = any(@ids)", new { ids = removedStreams.ToArray() }, cancellationToken: cancellationToken));
        }

        if (upserts.Count > 0)
        {
            var entries = upserts.Values.ToList();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                insert into archive_manifest (stream_id, start_pos, end_pos, object_key, entry)
                select * from unnest(@ids, @starts, @ends, @keys, @entries)
                on conflict (stream_id, start_pos) do update
                set end_pos = excluded.end_pos, object_key = excluded.object_key, entry = excluded.entry
                """,
                new
                {
                    ids = entries.Select(e => e.StreamId).ToArray(),
                    starts = entries.Select(e => e.Start).ToArray(),
                    ends = entries.Select(e => e.End).ToArray(),
                    keys = entries.Select(e => e.ObjectKey).ToArray(),
                    entries = entries.Select(e => ManifestCodec.Encode([e])).ToArray(),
                },
                cancellationToken: cancellationToken));
        }

        if (archivedBelow.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                delete from stream_records r
                using unnest(@ids, @below) as a(stream_id, below)
                where r.stream_id = a.stream_id and r.end_pos <= a.below
                """,
                new { ids = archivedBelow.Keys.ToArray(), below = archivedBelow.Values.ToArray() },
                cancellationToken: cancellationToken));
        }

        if (garbageDropped.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "delete from archive_garbage where object_key = any(@keys)", new { keys = garbageDropped.ToArray() }, cancellationToken: cancellationToken));
        }

        if (garbageAdded.Count > 0)
        {
            var rows = garbageAdded.ToList();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                insert into archive_garbage (object_key, object_size, stream_id)
                select * from unnest(@keys, @sizes, @ids)
                on conflict (object_key, stream_id) do nothing
                """,
                new { keys = rows.Select(r => r.Key.Key).ToArray(), sizes = rows.Select(r => r.Value).ToArray(), ids = rows.Select(r => r.Key.StreamId).ToArray() },
                cancellationToken: cancellationToken));
        }
    }
}
