namespace Ursula.Server.State.Commands;

/// <summary>What the leader's delivery service learned about a wake.</summary>
public enum DeliveryOutcome : byte
{
    /// <summary>The webhook answered 2xx without done: the lease runs from now, the callback is awaited.</summary>
    Delivered = 1,

    /// <summary>The webhook answered {"done": true}: the wake's snapshot is acked and the lease released.</summary>
    Done = 2,

    /// <summary>The attempt failed: the next one is due after DelayMs (backoff with jitter, chosen by the leader).</summary>
    Failed = 3,

    /// <summary>The wake's lease ran out (apply checks it against the entry's time).</summary>
    LeaseExpired = 4,
}

/// <summary>Issued only by the leader's subscription service, never on a client's behalf.</summary>
[CommandKind(CommandKind.SubscriptionDelivery)]
public sealed record SubscriptionDeliveryCommand(string Root, string Id, string WakeId, long Generation, DeliveryOutcome Outcome, long DelayMs) : SubscriptionCommand(Root, Id)
{
    public override CommandKind Kind => CommandKind.SubscriptionDelivery;

    public override bool IsClientCommand => false;

    public override void WriteFields(ref CommandWriter w)
    {
        WriteTarget(ref w);
        w.String(WakeId);
        w.Int64(Generation);
        w.Byte((byte)Outcome);
        w.Int64(DelayMs);
    }

    public override int SizeOfFields() => SizeOfTarget() + CommandWriter.SizeOf(WakeId) + 8 + 1 + 8;

    internal static Command ReadFields(ref CommandReader r)
    {
        var (root, id) = ReadTarget(ref r);
        var wakeId = r.String() ?? throw new InvalidDataException("A delivery without a wake id.");
        var generation = r.Int64();
        var outcome = (DeliveryOutcome)r.Byte();
        return Enum.IsDefined(outcome)
            ? new SubscriptionDeliveryCommand(root, id, wakeId, generation, outcome, r.Int64())
            : throw new InvalidDataException($"Unknown delivery outcome {(byte)outcome}.");
    }

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.ApplyDelivery(this, context));
}
