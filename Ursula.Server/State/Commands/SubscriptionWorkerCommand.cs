using Ursula.Server.Streams;

namespace Ursula.Server.State.Commands;

/// <summary>What a worker asks of a subscription's current wake.</summary>
public enum WorkerOperation : byte
{
    /// <summary>Pull-wake: take the lease of the pending wake.</summary>
    Claim = 1,

    /// <summary>Pull-wake: ack offsets (a heartbeat without done, the end of the wake with it).</summary>
    Ack = 2,

    /// <summary>Pull-wake: give the lease back without acking.</summary>
    Release = 3,

    /// <summary>Webhook: the receiver's callback, which acks like <see cref="Ack"/>.</summary>
    Callback = 4,
}

/// <summary>One ack: a root-relative stream and the last processed position in it (inclusive).</summary>
public readonly record struct StreamAck(string Stream, long Position);

/// <summary>
/// Claim, ack, release or callback. The token is checked by apply against the wake it names (its
/// MAC under the replicated token key, its kind, generation and wake id), so a request of an
/// earlier wake, or of a deleted subscription, is fenced on every node alike.
/// </summary>
[CommandKind(CommandKind.SubscriptionWorker)]
public sealed record SubscriptionWorkerCommand(
    string Root,
    string Id,
    WorkerOperation Operation,
    string? Worker,
    string? Token,
    string? WakeId,
    long Generation,
    IReadOnlyList<StreamAck> Acks,
    bool Done) : SubscriptionCommand(Root, Id)
{
    public override CommandKind Kind => CommandKind.SubscriptionWorker;

    public override void WriteFields(ref CommandWriter w)
    {
        WriteTarget(ref w);
        w.Byte((byte)Operation);
        w.String(Worker);
        w.String(Token);
        w.String(WakeId);
        w.Int64(Generation);
        w.Int32(Acks.Count);
        foreach (var ack in Acks)
        {
            w.String(ack.Stream);
            w.Int64(ack.Position);
        }

        w.Bool(Done);
    }

    public override int SizeOfFields() =>
        SizeOfTarget() + 1 + CommandWriter.SizeOf(Worker) + CommandWriter.SizeOf(Token) + CommandWriter.SizeOf(WakeId) + 8 + 4
        + Acks.Sum(a => CommandWriter.SizeOf(a.Stream) + 8) + 1;

    internal static Command ReadFields(ref CommandReader r)
    {
        var (root, id) = ReadTarget(ref r);
        var operation = (WorkerOperation)r.Byte();
        var worker = r.String();
        var token = r.String();
        var wakeId = r.String();
        var generation = r.Int64();
        var count = r.Int32();
        if (count < 0 || count > r.Remaining / 12)
        {
            throw new InvalidDataException($"A count of {count} acks does not fit in the {r.Remaining} bytes left.");
        }

        var acks = new List<StreamAck>(count);
        for (var i = 0; i < count; i++)
        {
            acks.Add(new StreamAck(r.Path(), r.Int64()));
        }

        return new SubscriptionWorkerCommand(root, id, operation, worker, token, wakeId, generation, acks, r.Bool());
    }

    internal override string? ValidateSubscriptionFields(CommandLimits limits)
    {
        if (!Enum.IsDefined(Operation))
        {
            return $"{(byte)Operation} is not a worker operation";
        }

        if (Operation == WorkerOperation.Claim)
        {
            return Worker is { Length: > 0 and <= 200 } ? null : "worker must name the worker (1 to 200 characters)";
        }

        if (Token is not { Length: > 0 and <= 512 } || WakeId is not { Length: > 0 and <= 200 } || Generation < 0)
        {
            return "wake_id, generation and a bearer token are required";
        }

        if (Acks.Count > Subscriptions.SubscriptionRules.MaxStreams)
        {
            return $"at most {Subscriptions.SubscriptionRules.MaxStreams} acks";
        }

        foreach (var ack in Acks)
        {
            if (ack.Position < 0 || Subscriptions.SubscriptionRules.CheckRelativePath(Root, ack.Stream, limits) is not null)
            {
                return $"ack of '{ack.Stream}' is not a stream and an offset";
            }
        }

        return null;
    }

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.ApplyWorker(this, context));

    /// <summary>Parses a server-minted offset into the position an ack carries.</summary>
    public static bool TryParsePosition(string? offset, out long position)
    {
        position = 0;
        if (offset is null || !StreamOffset.TryParse(offset, out var parsed) || parsed.High != 0)
        {
            return false;
        }

        position = parsed.Position;
        return true;
    }
}
