using Ursula.Server.State.Reading;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class SharedFrameCacheTests
{
    [Fact]
    public void Readers_at_several_positions_at_once_each_find_their_value()
    {
        // Appends arrive while a thousand readers are served: some stand at the older position,
        // some at the newer one, and neither pushes the other's value out.
        var cache = new SharedFrameCache<string>();
        var older = Key(100, 200);
        var newer = Key(200, 300);
        cache.Store(older, "older");
        cache.Store(newer, "newer");
        Assert.Equal("older", cache.TryGet(older));
        Assert.Equal("newer", cache.TryGet(newer));

        // The key is the whole view: the same position with another tail, closure or variant is another value.
        Assert.Null(cache.TryGet(Key(100, 300)));
        Assert.Null(cache.TryGet(older with { Closed = true }));
        Assert.Null(cache.TryGet(older with { Variant = "b64" }));
    }

    [Fact]
    public void When_full_the_oldest_position_goes_and_an_older_one_is_not_kept()
    {
        var cache = new SharedFrameCache<string>();
        for (var i = 1; i <= SharedFrameCache<string>.Capacity; i++)
        {
            Assert.True(cache.TryReplace(Key(i * 100, 1000), $"v{i}", out var none));
            Assert.Null(none);
        }

        // A catch-up reader far behind does not push out what the live readers share.
        Assert.False(cache.TryReplace(Key(50, 1000), "behind", out var notReplaced));
        Assert.Null(notReplaced);
        Assert.Null(cache.TryGet(Key(50, 1000)));

        // A newer position takes the place of the oldest, which is handed back for its bytes.
        Assert.True(cache.TryReplace(Key(900, 1000), "newest", out var pushedOut));
        Assert.Equal("v1", pushedOut);
        Assert.Null(cache.TryGet(Key(100, 1000)));
        Assert.Equal("v2", cache.TryGet(Key(200, 1000)));
        Assert.Equal("newest", cache.TryGet(Key(900, 1000)));
    }

    [Fact]
    public void Storing_a_key_again_replaces_its_value_and_clear_hands_back_every_value()
    {
        var cache = new SharedFrameCache<string>();
        Assert.Empty(cache.Clear());
        cache.Store(Key(0, 10), "a");
        Assert.True(cache.TryReplace(Key(0, 10), "b", out var replaced));
        Assert.Equal("a", replaced);
        cache.Store(Key(10, 20), "c");

        Assert.Equal(["b", "c"], cache.Clear().Order());
        Assert.Null(cache.TryGet(Key(0, 10)));
        Assert.Empty(cache.Clear());
        cache.Store(Key(20, 30), "d");
        Assert.Equal("d", cache.TryGet(Key(20, 30)));
    }

    private static FrameKey Key(long from, long tail) => new(from, tail, false, "text");
}
