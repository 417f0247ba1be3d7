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
        // Start at the record holding `from` (the newest one starting at or before it), then walk
        // forward; rows past the byte budget are cut in the query (by their stored sizes, which
        // PostgreSQL knows without reading them), so a read of large records fetches only what it returns.
        var rows = await connection.QueryAsync<RecordRow>(new CommandDefinition(
            """
            select start_pos as Start, end_pos as End, payload as Payload, appended_at as AppendedAt, log_index as LogIndex,
                producer_id as ProducerId, producer_epoch as ProducerEpoch, producer_seq as ProducerSeq
            from (
                select start_pos, end_pos, payload, appended_at, log_index, producer_id, producer_epoch, producer_seq,
                    coalesce(sum(octet_length(payload)) over (order by start_pos rows between unbounded preceding and 1 preceding), 0) as bytes_before
                from stream_records
                where stream_id = @streamId
                  and start_pos >= coalesce((select start_pos from stream_records where stream_id = @streamId and start_pos <= @from order by start_pos desc limit 1), @from)
                  and start_pos < @to
                order by start_pos
                limit @limit
            ) r
            where bytes_before < @maxBytes
            order by start_pos
            """,
            new { streamId, from, to, limit = MaxRows, maxBytes = Math.Max(1, maxBytes) },
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
