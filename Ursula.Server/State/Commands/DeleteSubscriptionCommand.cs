namespace Ursula.Server.State.Commands;

/// <summary>DELETE .../__ds/subscriptions/:id: the subscription goes; requests for its wakes are fenced.</summary>
[CommandKind(CommandKind.DeleteSubscription)]
public sealed record DeleteSubscriptionCommand(string Root, string Id) : SubscriptionCommand(Root, Id)
{
    public override CommandKind Kind => CommandKind.DeleteSubscription;

    public override void WriteFields(ref CommandWriter w) => WriteTarget(ref w);

    public override int SizeOfFields() => SizeOfTarget();

    internal static Command ReadFields(ref CommandReader r)
    {
        var (root, id) = ReadTarget(ref r);
        return new DeleteSubscriptionCommand(root, id);
    }

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.DeleteSubscription(this, context));
}
