// Snapshot transfer format: a header, then each table as PostgreSQL binary COPY data cut into
// length-prefixed chunks (a zero length ends a table). Export runs in one repeatable-read
// transaction, so the tables and the applied index in them are consistent with each other.
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Npgsql;

namespace Ursula.Server.State.Postgres;

public sealed partial class PostgresSnapshots
{
    // Every table of the replicated state; a new kind of state adds its tables here.
    private static readonly string[] Tables = ["ursula_node_state", "streams", "stream_producers", "stream_records", "archive_manifest", "archive_garbage", "subscriptions", "subscription_keys"];
    private static readonly byte[] Magic = "URSULA-SNAPSHOT-2"u8.ToArray();
    private const int ChunkSize = 256 * 1024;

    private async ValueTask ExportAsync<TWriter>(TWriter writer, CancellationToken token)
        where TWriter : IAsyncBinaryWriter
    {
        Interlocked.Increment(ref exports);
        try
        {
            await ExportTablesAsync(writer, token);

            // Pinned only after a transfer that went through: a follower that took it continues from
            // the entry after it. A failed one (the member died, or a proxy in front of a dead node
            // accepted and reset the connection) pins nothing, or retries every few hundred
            // milliseconds would keep the snapshot index, and with it the WAL, from ever moving on.
            Volatile.Write(ref exportPinnedUntil, Stopwatch.GetTimestamp() + (long)(ExportGrace.TotalSeconds * Stopwatch.Frequency));
        }
        finally
        {
            Interlocked.Decrement(ref exports);
        }
    }

    private async ValueTask ExportTablesAsync<TWriter>(TWriter writer, CancellationToken token)
        where TWriter : IAsyncBinaryWriter
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, token);
        await writer.Invoke(Magic, token);
        var buffer = new byte[ChunkSize + 4];
        foreach (var table in Tables)
        {
            await using (var copy = await connection.BeginRawBinaryCopyAsync($"copy {table} to stdout (format binary)", token))
            {
                int read;
                while ((read = await copy.ReadAsync(buffer.AsMemory(4, ChunkSize), token)) > 0)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(buffer, read);
                    await writer.Invoke(buffer.AsMemory(0, read + 4), token);
                }
            }

            BinaryPrimitives.WriteInt32LittleEndian(buffer, 0);
            await writer.Invoke(buffer.AsMemory(0, 4), token);
        }

        await transaction.CommitAsync(token);
    }

    /// <summary>Replaces this node's state with a snapshot from the leader; returns the applied index it holds.</summary>
    public async ValueTask<long> InstallAsync(LogEntry entry, CancellationToken token)
    {
        var pipe = new Pipe();
        var produce = Task.Run(async () =>
        {
            try
            {
                await entry.WriteToAsync(pipe.Writer, token: token);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, token);

        await gate.Semaphore.WaitAsync(token);
        Interlocked.Increment(ref installing);
        try
        {
            await using (var input = pipe.Reader.AsStream())
            {
                // One transaction: when it fails (PostgreSQL down, the transfer cut) nothing changed
                // here, the leader sends the snapshot again, and the flusher keeps what it holds.
                await ImportAsync(input, token);
            }

            // Committed: PostgreSQL holds the leader's state now, and the catalog must follow it
            // before anything else runs, however long PostgreSQL takes to answer again.
            var state = await LoadUntilLoadedAsync();
            catalog.Load(state);

            // The tables may be newer than the snapshot's index (the leader kept flushing while it
            // sent them); they say so themselves, and apply skips the entries they already hold.
            // The log restarts at the snapshot's own index and term, as DotNext expects.
            Reset(entry.Index, entry.Term);
            StorageLog.SnapshotInstalled(logger, state.AppliedIndex, state.Streams.Count);
        }
        finally
        {
            Interlocked.Decrement(ref installing);
            gate.Semaphore.Release();
        }

        await produce;
        return entry.Index;
    }

    private async Task<CatalogState> LoadUntilLoadedAsync()
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await store.LoadAsync(stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                StorageLog.SnapshotReloadFailed(logger, e.Message, e);
                await Task.Delay(delay, stopping);
                delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, delay.Ticks * 2));
            }
        }
    }

    private async Task ImportAsync(Stream input, CancellationToken token)
    {
        var header = new byte[Magic.Length];
        await input.ReadExactlyAsync(header, token);
        if (!header.AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an Ursula snapshot.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        await using (var truncate = new NpgsqlCommand($"truncate {string.Join(", ", Tables)}", connection, transaction))
        {
            await truncate.ExecuteNonQueryAsync(token);
        }

        var length = new byte[4];
        var buffer = new byte[ChunkSize];
        foreach (var table in Tables)
        {
            await using var copy = await connection.BeginRawBinaryCopyAsync($"copy {table} from stdin (format binary)", token);
            while (true)
            {
                await input.ReadExactlyAsync(length, token);
                var size = BinaryPrimitives.ReadInt32LittleEndian(length);
                if (size == 0)
                {
                    break;
                }

                if (size < 0 || size > ChunkSize)
                {
                    throw new InvalidDataException("Corrupt snapshot chunk.");
                }

                await input.ReadExactlyAsync(buffer.AsMemory(0, size), token);
                await copy.WriteAsync(buffer.AsMemory(0, size), token);
            }
        }

        await transaction.CommitAsync(token);
    }
}
