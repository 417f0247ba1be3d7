// The flusher against a real PostgreSQL that fails under it: a batch whose flush failed must be
// written by a later flush, and a flush whose commit succeeded but whose answer was lost must not
// make every retry fail on duplicate keys.
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Postgres;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class StateFlusherTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Appends_applied_while_PostgreSQL_refuses_writes_are_all_in_PostgreSQL_once_it_takes_them_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var (connectionString, dataSource) = await NewDatabaseAsync(ct);
        await using var _ = dataSource;
        var node = new Node(dataSource);
        node.Catalog.Load(await node.Store.LoadAsync(ct));
        await node.Catalog.ApplyAsync(1, 1, Batch(new CreateStreamCommand("/flush/s", "text/plain", null, null, false, Body(""), null)), ct);

        using var lifetime = new CancellationTokenSource();
        await node.Flusher.StartAsync(ct);
        await WaitUntilAsync(() => node.Snapshots.FlushedIndex >= 1, "the create is flushed");

        await PostgresFaults.RefuseWritesAsync(connectionString, true, ct);
        var expected = new StringBuilder();
        var index = 2L;
        for (; index < 40; index++)
        {
            var text = $"r{index};";
            expected.Append(text);
            await node.Catalog.ApplyAsync(index, 1, Batch(new AppendStreamCommand("/flush/s", "text/plain", null, null, false, Body(text))), ct);
            await Task.Delay(10, ct);
        }

        await WaitUntilAsync(() => !node.Health.IsHealthy, "a flush failed");
        Assert.True(node.Snapshots.FlushedIndex < index - 1, "PostgreSQL took writes although it was told to refuse them.");

        await PostgresFaults.RefuseWritesAsync(connectionString, false, ct);
        await WaitUntilAsync(() => node.Snapshots.FlushedIndex >= index - 1, "everything applied is flushed");
        await node.Flusher.StopAsync(ct);

        Assert.Equal(expected.ToString(), await StoredTextAsync(dataSource, ct));
        var state = await node.Store.LoadAsync(ct);
        Assert.Equal(index - 1, state.AppliedIndex);
        Assert.Equal(expected.Length, Assert.Single(state.Streams).Tail);
    }

    [Fact]
    public async Task Flushing_a_committed_batch_again_together_with_newer_changes_writes_each_record_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, dataSource) = await NewDatabaseAsync(ct);
        await using var __ = dataSource;
        var node = new Node(dataSource);
        node.Catalog.Load(await node.Store.LoadAsync(ct));
        await node.Catalog.ApplyAsync(1, 1, Batch(new CreateStreamCommand("/flush/once", "text/plain", null, null, false, Body("a"), null)), ct);
        await node.Catalog.ApplyAsync(2, 1, Batch(new AppendStreamCommand("/flush/once", "text/plain", null, null, false, Body("b"))), ct);

        // The commit succeeds, but the flusher never hears so (a connection cut after COMMIT).
        var lost = node.Catalog.TakeChanges();
        await node.Store.FlushAsync(lost, ct);

        await node.Catalog.ApplyAsync(3, 1, Batch(new AppendStreamCommand("/flush/once", "text/plain", null, null, false, Body("c"))), ct);
        var retry = node.Catalog.TakeChangesMergedAfter(lost);
        await node.Store.FlushAsync(retry, ct);
        await node.Store.FlushAsync(retry, ct);

        Assert.Equal("abc", await StoredTextAsync(dataSource, ct));
        Assert.Equal(3, (await node.Store.LoadAsync(ct)).AppliedIndex);
    }

    private static async Task<string?> StoredTextAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var query = new NpgsqlCommand("select string_agg(convert_from(payload, 'UTF8'), '' order by start_pos) from stream_records", connection);
        return await query.ExecuteScalarAsync(ct) as string;
    }

    private async Task<(string ConnectionString, NpgsqlDataSource DataSource)> NewDatabaseAsync(CancellationToken ct)
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(StateFlusherTests), ct);
        Ursula.Migrations.SchemaMigrator.MigrateUp(connectionString);
        return (connectionString, NpgsqlDataSource.Create(connectionString));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static CommandBody Body(string text) => new(Encoding.UTF8.GetBytes(text), CommandBody.Raw);

    private static CommandBatch Batch(StreamCommand command) => CommandCodec.Decode(CommandCodec.Encode(1_000, [command]));

    /// <summary>The storage half of a node, wired as the server wires it.</summary>
    private sealed class Node
    {
        public Node(NpgsqlDataSource dataSource)
        {
            var budget = new HotTailBudget(1024 * 1024);
            Store = new PostgresStateStore(dataSource);
            Catalog = new StreamCatalog(budget);
            var gate = new FlushGate();
            Snapshots = new PostgresSnapshots(dataSource, Catalog, Store, gate, 0, new Lifetime(), NullLogger<PostgresSnapshots>.Instance);
            Health = new StorageHealth(TimeProvider.System);
            Flusher = new StateFlusher(Catalog, Store, budget, Snapshots, Health, gate, NullLogger<StateFlusher>.Instance);
        }

        public PostgresStateStore Store { get; }

        public StreamCatalog Catalog { get; }

        public PostgresSnapshots Snapshots { get; }

        public StorageHealth Health { get; }

        public StateFlusher Flusher { get; }
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
