using Ursula.Server.State.Subscriptions;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class SubscriptionConfigTests
{
    private static readonly SubscriptionConfig Base = new(SubscriptionType.Webhook, "events/*", SubscriptionConfig.Normalize(["b", "a"]), "https://example.com/h", null, 30_000, "d");

    [Fact]
    public void The_order_and_repetition_of_explicit_streams_do_not_change_the_hash()
    {
        var other = Base with { Streams = SubscriptionConfig.Normalize(["a", "b", "a"]) };
        Assert.Equal(Base.Hash(), other.Hash());
        Assert.Equal(["a", "b"], other.Streams);
    }

    public static TheoryData<string, SubscriptionConfig> Changed => new()
    {
        { "type", Base with { Type = SubscriptionType.PullWake } },
        { "pattern", Base with { Pattern = "events/**" } },
        { "no pattern", Base with { Pattern = null } },
        { "streams", Base with { Streams = ["a"] } },
        { "url", Base with { WebhookUrl = "https://example.com/other" } },
        { "wake stream", Base with { WakeStream = "wake/pool" } },
        { "lease", Base with { LeaseTtlMs = 30_001 } },
        { "description", Base with { Description = "e" } },
        { "no description", Base with { Description = null } },
        { "empty description", Base with { Description = string.Empty } },
    };

    [Theory]
    [MemberData(nameof(Changed))]
    public void Every_field_is_part_of_the_hash(string field, SubscriptionConfig changed) =>
        Assert.True(Base.Hash() != changed.Hash(), $"changing {field} kept the hash");

    [Fact]
    public void Field_values_cannot_be_shifted_into_each_other()
    {
        // A naive concatenation would hash these two alike.
        var a = Base with { Pattern = "x", Description = "yz" };
        var b = Base with { Pattern = "xy", Description = "z" };
        Assert.NotEqual(a.Hash(), b.Hash());
        Assert.Matches("^[0-9a-f]{64}$", Base.Hash());
    }
}
