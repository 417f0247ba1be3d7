// The node's durable state in PostgreSQL: loads the catalog at start and writes change batches,
// each in one transaction together with the applied log index.
using Dapper;
using Npgsql;
using Ursula.Archive.Manifest;
using Ursula.Server.State.Archive;

namespace Ursula.Server.State.Postgres;

public sealed partial class PostgresStateStore(NpgsqlDataSource dataSource)
{
    public async Task<CatalogState> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var node = await connection.QuerySingleAsync<NodeRow>(new CommandDefinition(
            "select applied_index as AppliedIndex, applied_term as AppliedTerm, next_stream_id as NextStreamId, clock_ms as ClockMs from ursula_node_state",
            cancellationToken: cancellationToken));
        var streams = (await connection.QueryAsync<StreamRow>(new CommandDefinition(
            "select * from streams", cancellationToken: cancellationToken))).Select(r => r.ToMeta()).ToList();
        var producers = (await connection.QueryAsync<ProducerRow>(new CommandDefinition(
            "select stream_id as StreamId, producer_id as ProducerId, epoch as Epoch, last_seq as LastSeq, updated_at_ms as UpdatedAtMs from stream_producers",
            cancellationToken: cancellationToken)))
            .Select(p => (p.StreamId, p.ProducerId, new ProducerState(p.Epoch, p.LastSeq, p.UpdatedAtMs)))
            .ToList();
        var manifest = (await connection.QueryAsync<byte[]>(new CommandDefinition(
            "select entry from archive_manifest order by stream_id, start_pos", cancellationToken: cancellationToken)))
            .SelectMany(entry => ManifestCodec.Decode(entry))
            .ToList();
        var garbage = (await connection.QueryAsync<GarbageRow>(new CommandDefinition(
            "select object_key as ObjectKey, object_size as ObjectSize, stream_id as StreamId from archive_garbage", cancellationToken: cancellationToken)))
            .GroupBy(g => g.ObjectKey)
            .Select(g => new ArchiveGarbage(g.Key, g.First().ObjectSize, g.Select(r => r.StreamId).ToHashSet()))
            .ToList();
        var subscriptions = (await connection.QueryAsync<string>(new CommandDefinition(
            "select state::text from subscriptions order by root, id", cancellationToken: cancellationToken))).ToList();
        var seed = await connection.QueryFirstOrDefaultAsync<byte[]>(new CommandDefinition(
            "select seed from subscription_keys limit 1", cancellationToken: cancellationToken));
        return new CatalogState(streams, producers, node.NextStreamId, node.AppliedIndex, node.AppliedTerm, node.ClockMs)
        {
            Manifest = manifest,
            Garbage = garbage,
            Subscriptions = subscriptions,
            SigningKeySeed = seed,
        };
    }

    /// <summary>
    /// Writes a batch in one transaction with its applied index. Idempotent: a retry of a batch
    /// whose commit succeeded but whose answer was lost (or that was merged with newer changes
    /// since) skips the records PostgreSQL already holds, judged by the applied index it holds.
    /// </summary>
    public async Task FlushAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stored = await connection.QuerySingleAsync<long>(new CommandDefinition(
            "select applied_index from ursula_node_state for update", transaction: transaction, cancellationToken: cancellationToken));
        if (stored >= batch.AppliedIndex)
        {
            // Everything in this batch is committed already.
            return;
        }

        if (batch.Streams.Count > 0)
        {
            await UpsertStreamsAsync(connection, batch.Streams.Values, cancellationToken);
        }

        if (batch.Records.Count > 0)
        {
            // Records of entries up to the stored index were committed with it; the rest were not.
            var records = stored > 0 && batch.Records[0].Record.LogIndex <= stored
                ? batch.Records.FindAll(r => r.Record.LogIndex > stored)
                : batch.Records;
            if (records.Count > 0)
            {
                await CopyRecordsAsync(connection, records, cancellationToken);
            }
        }

        if (batch.DeletedProducers.Count > 0)
        {
            await DeleteProducersAsync(connection, batch.DeletedProducers, cancellationToken);
        }

        if (batch.Producers.Count > 0)
        {
            await UpsertProducersAsync(connection, batch.Producers, cancellationToken);
        }

        if (batch.Deleted.Count > 0)
        {
            var ids = batch.Deleted.ToArray();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                delete from stream_records where stream_id = any(@ids);
                delete from stream_producers where stream_id = any(@ids);
                delete from streams where stream_id = any(@ids);
                """,
                new { ids },
                cancellationToken: cancellationToken));
        }

        foreach (var set in batch.Sets)
        {
            await set.WriteAsync(connection, cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "update ursula_node_state set applied_index = @AppliedIndex, applied_term = @AppliedTerm, next_stream_id = @NextStreamId, clock_ms = @ClockMs, updated_at = now()",
            new { batch.AppliedIndex, batch.AppliedTerm, batch.NextStreamId, batch.ClockMs },
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Writes restored streams and their change sets (the manifest) inside the caller's transaction.</summary>
    internal static async Task WriteRestoredAsync(NpgsqlConnection connection, IReadOnlyList<StreamMeta> streams, ChangeBatch batch, CancellationToken cancellationToken)
    {
        if (streams.Count > 0)
        {
            await UpsertStreamsAsync(connection, streams, cancellationToken);
        }

        foreach (var set in batch.Sets)
        {
            await set.WriteAsync(connection, cancellationToken);
        }
    }

    private static async Task CopyRecordsAsync(NpgsqlConnection connection, List<(long StreamId, DataRecord Record)> records, CancellationToken cancellationToken)
    {
        var bytes = 64;
        foreach (var (_, record) in records)
        {
            bytes += record.Payload.Length + 96;
        }

        var copy = new BinaryCopyWriter(bytes);
        copy.Begin();
        foreach (var (streamId, record) in records)
        {
            copy.StartRow(9);
            copy.BigInt(streamId);
            copy.BigInt(record.Start);
            copy.BigInt(record.End);
            copy.TimestampFromUnixMs(record.AppendedAtMs);
            copy.BigInt(record.LogIndex);
            copy.Text(record.ProducerId);
            copy.NullableBigInt(record.ProducerEpoch);
            copy.NullableBigInt(record.ProducerSeq);
            copy.Bytes(record.Payload);
        }

        copy.End();
        await using var stream = await connection.BeginRawBinaryCopyAsync(
            "copy stream_records (stream_id, start_pos, end_pos, appended_at, log_index, producer_id, producer_epoch, producer_seq, payload) from stdin (format binary)",
            cancellationToken);
        await stream.WriteAsync(copy.Written, cancellationToken);
    }

    private static Task UpsertProducersAsync(NpgsqlConnection connection, Dictionary<(long StreamId, string ProducerId), ProducerState> producers, CancellationToken cancellationToken)
    {
        var rows = producers.ToList();
        return connection.ExecuteAsync(new CommandDefinition(
            """
            insert into stream_producers (stream_id, producer_id, epoch, last_seq, updated_at_ms)
            select * from unnest(@streamIds, @producerIds, @epochs, @lastSeqs, @updated)
            on conflict (stream_id, producer_id) do update
            set epoch = excluded.epoch, last_seq = excluded.last_seq, updated_at_ms = excluded.updated_at_ms
            """,
            new
            {
                streamIds = rows.Select(r => r.Key.StreamId).ToArray(),
                producerIds = rows.Select(r => r.Key.ProducerId).ToArray(),
                epochs = rows.Select(r => r.Value.Epoch).ToArray(),
                lastSeqs = rows.Select(r => r.Value.LastSeq).ToArray(),
                updated = rows.Select(r => r.Value.UpdatedAtMs).ToArray(),
            },
            cancellationToken: cancellationToken));
    }

    private static Task DeleteProducersAsync(NpgsqlConnection connection, HashSet<(long StreamId, string ProducerId)> producers, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            delete from stream_producers p
            using unnest(@streamIds, @producerIds) as gone(stream_id, producer_id)
            where p.stream_id = gone.stream_id and p.producer_id = gone.producer_id
            """,
            new
            {
                streamIds = producers.Select(k => k.StreamId).ToArray(),
                producerIds = producers.Select(k => k.ProducerId).ToArray(),
            },
            cancellationToken: cancellationToken));

    private sealed record GarbageRow(string ObjectKey, long ObjectSize, long StreamId);

    private sealed record NodeRow(long AppliedIndex, long AppliedTerm, long NextStreamId, long ClockMs);

    private sealed record ProducerRow(long StreamId, string ProducerId, long Epoch, long LastSeq, long UpdatedAtMs);
}
