using System.Buffers.Binary;
using System.Text;
using Ursula.Server.State.Commands;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class CommandCodecTests
{
    private static readonly Command[] Sample =
    [
        new CreateStreamCommand("/a/b", "application/json", 60, null, false, new CommandBody("1,2"u8.ToArray(), 2), new ForkRequest("/src", 3, 1)),
        new AppendStreamCommand("/a/b", "text/plain", "0001", new ProducerClaim("p", 1, 2), true, new CommandBody("hello"u8.ToArray(), CommandBody.Raw)),
        new AppendStreamCommand("/a/json", "application/json", null, null, false, CommandBody.Invalid("Invalid JSON")),
        new DeleteStreamCommand("/a/b"),
        new TouchStreamCommand("/a/b", 7),
        new ExpireStreamCommand("/a/b", 8),
        new ExpireProducersCommand(604_800_000),
        new PutSubscriptionCommand("/v1/stream", "sub-1", new Ursula.Server.State.Subscriptions.SubscriptionConfig(
            Ursula.Server.State.Subscriptions.SubscriptionType.Webhook, "events/*", ["a", "b"], "https://example.com/h", null, 30_000, "d"), "http://127.0.0.1:1", new byte[32]),
        new DeleteSubscriptionCommand("", "sub-2"),
        new SubscriptionStreamsCommand("/r", "s", ["x/y"], ["z"]),
        new SubscriptionWorkerCommand("/r", "s", WorkerOperation.Ack, null, "tok", "w_1", 3, [new StreamAck("x/y", 42)], true),
        new SubscriptionDeliveryCommand("/r", "s", "w_1", 3, DeliveryOutcome.Failed, 1200),
    ];

    [Fact]
    public void Commands_survive_a_round_trip_and_SizeOf_bounds_their_encoding()
    {
        var bytes = CommandCodec.Encode(1234, Sample);
        var batch = CommandCodec.Decode(bytes);
        Assert.Equal(1234, batch.TimestampMs);
        Assert.Equal(Sample.Length, batch.Commands.Count);
        Assert.Equal("Invalid JSON", ((AppendStreamCommand)batch.Commands[2]).Body.MalformedReason);
        Assert.True(CommandCodec.HeaderBytes + Sample.Sum(CommandCodec.SizeOf) >= bytes.Length);
        foreach (var command in Sample)
        {
            Assert.True(CommandCodec.SizeOf(command) >= CommandCodec.Encode(0, [command]).Length - CommandCodec.HeaderBytes, command.ToString());
        }
    }

    [Fact]
    public void Every_truncation_of_an_entry_is_refused_with_InvalidDataException_only()
    {
        var bytes = CommandCodec.Encode(1, Sample);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(bytes.AsMemory(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode((byte[])[.. bytes, 0]));
    }

    [Fact]
    public void Random_corruption_of_an_entry_never_throws_anything_but_InvalidDataException()
    {
        var original = CommandCodec.Encode(1, Sample);
        var random = new Random(42);
        for (var round = 0; round < 20_000; round++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                CommandCodec.Decode(bytes);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-2)]
    [InlineData(int.MaxValue)]
    [InlineData(1000)]
    public void Lengths_and_counts_that_do_not_fit_are_refused(int value)
    {
        // A command count...
        var entry = CommandCodec.Encode(1, [new DeleteStreamCommand("/a")]);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(9), value);
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(entry));

        // ...and the length of the path that follows the kind byte.
        entry = CommandCodec.Encode(1, [new DeleteStreamCommand("/a")]);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(14), value);
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(entry));
    }

    [Fact]
    public void Unknown_kinds_booleans_and_bytes_that_are_not_UTF8_are_refused()
    {
        var entry = CommandCodec.Encode(1, [new DeleteStreamCommand("/a")]);
        entry[13] = 99;
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(entry));

        entry = CommandCodec.Encode(1, [new DeleteStreamCommand("/a")]);
        entry[18] = 0xFF;
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(entry));

        var append = CommandCodec.Encode(1, [new AppendStreamCommand("/a", null, null, null, true, CommandBody.None)]);
        append[^(4 + 4 + 1)] = 7;
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(append));
        Assert.Equal(Encoding.UTF8.GetBytes("/a"), append.AsSpan(18, 2).ToArray());
    }
}
