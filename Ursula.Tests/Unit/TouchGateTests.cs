using Microsoft.Extensions.Time.Testing;
using Ursula.Server.Replication;
using Ursula.Server.State;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class TouchGateTests
{
    [Fact]
    public void One_touch_per_stream_per_sixteenth_of_its_TTL()
    {
        var time = new FakeTimeProvider();
        var gate = new TouchGate(time);
        var ttl16s = Meta(1, 16);

        Assert.True(gate.ShouldTouch(ttl16s));
        Assert.False(gate.ShouldTouch(ttl16s));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(gate.ShouldTouch(ttl16s));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(gate.ShouldTouch(ttl16s));
        Assert.False(gate.ShouldTouch(ttl16s));

        // Streams are gated apart; one without a TTL (or with a TTL of 0) is never touched.
        Assert.True(gate.ShouldTouch(Meta(2, 16)));
        Assert.False(gate.ShouldTouch(Meta(3, null)));
        Assert.False(gate.ShouldTouch(Meta(4, 0)));
    }

    [Fact]
    public void A_touch_that_was_not_sent_is_forgotten_so_the_next_read_touches()
    {
        var gate = new TouchGate(new FakeTimeProvider());
        var meta = Meta(1, 60);
        Assert.True(gate.ShouldTouch(meta));
        gate.Forget(meta.Id);
        Assert.True(gate.ShouldTouch(meta));
    }

    [Fact]
    public void Concurrent_reads_of_one_stream_let_exactly_one_touch_through_per_window()
    {
        var time = new FakeTimeProvider();
        var gate = new TouchGate(time);
        var meta = Meta(1, 16);
        for (var window = 0; window < 3; window++)
        {
            var passed = 0;
            Parallel.For(0, 1000, _ =>
            {
                if (gate.ShouldTouch(meta))
                {
                    Interlocked.Increment(ref passed);
                }
            });
            Assert.Equal(1, passed);
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void The_table_drops_streams_past_their_window_as_it_grows()
    {
        var time = new FakeTimeProvider();
        var gate = new TouchGate(time);
        for (var id = 0; id < 5000; id++)
        {
            Assert.True(gate.ShouldTouch(Meta(id, 16)));
        }

        // Past every window: the old entries go at the next pass (once the table has doubled), and each stream may touch again.
        time.Advance(TimeSpan.FromSeconds(2));
        for (var id = 5000; id < 9000; id++)
        {
            Assert.True(gate.ShouldTouch(Meta(id, 16)));
        }

        Assert.True(gate.TrackedStreams < 5000, $"{gate.TrackedStreams} streams tracked");
        Assert.True(gate.ShouldTouch(Meta(0, 16)));
    }

    private static StreamMeta Meta(long id, long? ttlSeconds) =>
        new(id, $"/s{id}", "text/plain", 0, ttlSeconds, null, null, 0, false, null, 0, null, null, 0, false, 0, 0);
}
