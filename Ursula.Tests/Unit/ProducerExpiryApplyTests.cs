// Producer idle expiry as replicated state: apply measures idleness against the entry's time, so
// two nodes applying the same entries drop the same producers, whatever their own clocks.
using System.Text;
using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class ProducerExpiryApplyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_nodes_applying_the_same_entries_drop_the_same_idle_producers()
    {
        var first = new StreamCatalog(new HotTailBudget(1024 * 1024));
        var second = new StreamCatalog(new HotTailBudget(1024 * 1024));
        foreach (var catalog in new[] { first, second })
        {
            await ApplyAsync(catalog, 1, 1_000, new CreateStreamCommand("/p", "text/plain", null, null, false, CommandBody.None, null));
            await ApplyAsync(catalog, 2, 1_000, Append("old", 0));
            await ApplyAsync(catalog, 3, 5_000, Append("recent", 0));
            Assert.Equal(1_000, catalog.OldestProducerMs);

            // At 6 000 with a 3 000 ms idle time: "old" (last seen at 1 000) is past it, "recent" (5 000) is not.
            await ApplyAsync(catalog, 4, 6_000, new ExpireProducersCommand(3_000));
            Assert.True(catalog.TryGet("/p", out var handle));
            Assert.Equal(["recent"], handle.Producers.Keys);
            Assert.Equal(5_000, catalog.OldestProducerMs);

            var changes = catalog.TakeChanges();
            Assert.Contains(changes.DeletedProducers, k => k.ProducerId == "old");
            Assert.DoesNotContain(changes.Producers.Keys, k => k.ProducerId == "old");

            // The dropped producer is new again: a sequence past 0 is a gap from 0, and seq 0 is accepted anew.
            var gap = await ApplyAsync(catalog, 5, 6_100, Append("old", 1));
            Assert.Equal(409, gap.Status);
            Assert.Equal(0, gap.ExpectedSeq);
            Assert.Equal(200, (await ApplyAsync(catalog, 6, 6_200, Append("old", 0))).Status);
            var again = catalog.TakeChanges();
            Assert.Contains(again.Producers.Keys, k => k.ProducerId == "old");
            Assert.DoesNotContain(again.DeletedProducers, k => k.ProducerId == "old");
        }

        Assert.True(first.TryGet("/p", out var a));
        Assert.True(second.TryGet("/p", out var b));
        Assert.Equal(a.Producers.OrderBy(p => p.Key, StringComparer.Ordinal), b.Producers.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_expiry_entry_earlier_than_the_idle_time_drops_nothing()
    {
        var catalog = new StreamCatalog(new HotTailBudget(1024 * 1024));
        await ApplyAsync(catalog, 1, 1_000, new CreateStreamCommand("/p", "text/plain", null, null, false, CommandBody.None, null));
        await ApplyAsync(catalog, 2, 1_000, Append("p", 0));
        await ApplyAsync(catalog, 3, 3_999, new ExpireProducersCommand(3_000));
        Assert.True(catalog.TryGet("/p", out var handle));
        Assert.Equal(["p"], handle.Producers.Keys);
        Assert.Empty(catalog.TakeChanges().DeletedProducers);

        // A duplicate is still recognised: the state is intact.
        Assert.Equal(204, (await ApplyAsync(catalog, 4, 4_000, Append("p", 0))).Status);
    }

    [Fact]
    public void A_batch_folding_a_drop_and_a_later_return_writes_only_the_return()
    {
        var older = new ChangeBatch();
        older.SetProducer((1, "p"), new ProducerState(0, 3, 10));
        var drop = new ChangeBatch();
        drop.DeleteProducer((1, "p"));
        older.Absorb(drop);
        Assert.Empty(older.Producers);
        Assert.Contains((1L, "p"), older.DeletedProducers);

        var back = new ChangeBatch();
        back.SetProducer((1, "p"), new ProducerState(0, 0, 20));
        older.Absorb(back);
        Assert.Empty(older.DeletedProducers);
        Assert.Equal(new ProducerState(0, 0, 20), older.Producers[(1, "p")]);
    }

    private static AppendStreamCommand Append(string producer, long seq) =>
        new("/p", "text/plain", null, new ProducerClaim(producer, 0, seq), false, new CommandBody(Encoding.UTF8.GetBytes("x"), CommandBody.Raw));

    private static async Task<ApplyOutcome> ApplyAsync(StreamCatalog catalog, long index, long timestampMs, Command command) =>
        (await catalog.ApplyAsync(index, 1, CommandCodec.Decode(CommandCodec.Encode(timestampMs, [command])), Ct))[0];
}
