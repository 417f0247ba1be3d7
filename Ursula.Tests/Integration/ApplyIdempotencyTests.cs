using System.Text;
using Npgsql;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Postgres;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class ApplyIdempotencyTests(PostgresFixture postgres)
{
    private static readonly CommandBatch Create = Batch(1_000, new CreateStreamCommand("/idem/s", "text/plain", null, null, false, Body("a"), null));
    private static readonly CommandBatch Append = Batch(2_000, new AppendStreamCommand("/idem/s", "text/plain", null, new ProducerClaim("p", 0, 0), false, Body("b")));
    private static readonly CommandBatch Close = Batch(3_000, new AppendStreamCommand("/idem/s", null, null, null, true, CommandBody.None));

    [Fact]
    public async Task Re_applying_entries_that_PostgreSQL_already_holds_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await NewDatabaseAsync(ct);
        var store = new PostgresStateStore(dataSource);

        var first = NewCatalog(dataSource);
        first.Load(await store.LoadAsync(ct));
        await first.ApplyAsync(1, 1, Create, ct);
        await first.ApplyAsync(2, 1, Append, ct);
        await store.FlushAsync(first.TakeChanges(), ct);

        // A restart replays the WAL from before what PostgreSQL holds: those entries are no-ops.
        var restarted = NewCatalog(dataSource);
        restarted.Load(await store.LoadAsync(ct));
        Assert.Empty(await restarted.ApplyAsync(1, 1, Create, ct));
        Assert.Empty(await restarted.ApplyAsync(2, 1, Append, ct));
        var changes = restarted.TakeChanges();
        Assert.True(changes.IsEmpty);
        await store.FlushAsync(changes, ct);

        var outcome = Assert.Single(await restarted.ApplyAsync(3, 1, Close, ct));
        Assert.Equal(204, outcome.Status);
        await store.FlushAsync(restarted.TakeChanges(), ct);

        var final = await store.LoadAsync(ct);
        var meta = Assert.Single(final.Streams);
        Assert.Equal(2, meta.Tail);
        Assert.True(meta.Closed);
        Assert.Equal(3, final.AppliedIndex);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var count = new NpgsqlCommand("select string_agg(convert_from(payload, 'UTF8'), '' order by start_pos) from stream_records", connection);
        Assert.Equal("ab", await count.ExecuteScalarAsync(ct));
    }

    [Fact]
    public async Task Two_nodes_applying_the_same_entries_reach_identical_state()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var a = await NewDatabaseAsync(ct);
        await using var b = await NewDatabaseAsync(ct);
        var catalogs = new[] { NewCatalog(a), NewCatalog(b) };
        var outcomes = new List<string>[] { [], [] };
        for (var i = 0; i < 2; i++)
        {
            catalogs[i].Load(CatalogState.Empty);
            var index = 1L;
            foreach (var batch in new[] { Create, Append, Append, Close, Append })
            {
                foreach (var o in await catalogs[i].ApplyAsync(index++, 1, batch, ct))
                {
                    outcomes[i].Add($"{o.Status}:{o.Tail}:{o.Closed}:{o.ProducerSeq}");
                }
            }
        }

        Assert.Equal(outcomes[0], outcomes[1]);
        Assert.True(catalogs[0].TryGet("/idem/s", out var left));
        Assert.True(catalogs[1].TryGet("/idem/s", out var right));
        Assert.Equal(left.Meta, right.Meta);
    }

    private static StreamCatalog NewCatalog(NpgsqlDataSource dataSource) =>
        new(new HotTailBudget(1024 * 1024));

    private async Task<NpgsqlDataSource> NewDatabaseAsync(CancellationToken ct)
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(ApplyIdempotencyTests), ct);
        Ursula.Migrations.SchemaMigrator.MigrateUp(connectionString);
        return NpgsqlDataSource.Create(connectionString);
    }

    private static CommandBody Body(string text) => new(Encoding.UTF8.GetBytes(text), CommandBody.Raw);

    private static CommandBatch Batch(long time, StreamCommand command) =>
        CommandCodec.Decode(CommandCodec.Encode(time, [command]));
}
