// Reads records that left the hot tail back from PostgreSQL.
using Dapper;
using Npgsql;

namespace Ursula.Server.State.Postgres;

public sealed class PostgresRecordSource(NpgsqlDataSource dataSource) : IRecordSource
{
    private const int MaxRows = 1000;

    public async ValueTask<IReadOnlyList<DataRecord>> ReadAsync(long streamId, long from, long to, long maxBytes, CancellationToken cancellationToken)
    {
        if (from >= to)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Start at the record holding `from` (the newest one starting at or before it), then walk forward.
        var rows = await connection.QueryAsync<RecordRow>(new CommandDefinition(
            """
            select start_pos as Start, end_pos as End, payload as Payload, appended_at as AppendedAt, log_index as LogIndex,
                producer_id as ProducerId, producer_epoch as ProducerEpoch, producer_seq as ProducerSeq
            from stream_records
            where stream_id = @streamId
              and start_pos >= coalesce((select start_pos from stream_records where stream_id = @streamId and start_pos <= @from order by start_pos desc limit 1), @from)
              and start_pos < @to
            order by start_pos
            limit @limit
            """,
            new { streamId, from, to, limit = MaxRows },
            cancellationToken: cancellationToken));

        var result = new List<DataRecord>();
        long bytes = 0;
        foreach (var row in rows)
        {
            if (row.End <= from)
            {
                continue;
            }

            result.Add(new DataRecord(row.Start, row.End, row.Payload, new DateTimeOffset(row.AppendedAt, TimeSpan.Zero).ToUnixTimeMilliseconds(), row.LogIndex, row.ProducerId, row.ProducerEpoch, row.ProducerSeq));
            bytes += row.Payload.Length;
            if (bytes >= maxBytes)
            {
                break;
            }
        }

        return result;
    }

    private sealed record RecordRow(long Start, long End, byte[] Payload, DateTime AppendedAt, long LogIndex, string? ProducerId, long? ProducerEpoch, long? ProducerSeq);
}
