namespace Ursula.Server.State.Commands;

/// <summary>A command addressed to one subscription: its stream root ("" or e.g. "/v1/stream") and id.</summary>
public abstract record SubscriptionCommand(string Root, string Id) : Command
{
    public override bool IsClientCommand => true;

    internal override string? ValidateFields(CommandLimits limits, bool jsonFlattenedHere) =>
        Subscriptions.SubscriptionRules.CheckRoot(Root, limits) ?? Subscriptions.SubscriptionRules.CheckId(Id) ?? ValidateSubscriptionFields(limits);

    /// <summary>The kind's checks beyond root and id.</summary>
    internal virtual string? ValidateSubscriptionFields(CommandLimits limits) => null;

    protected void WriteTarget(ref CommandWriter w)
    {
        w.String(Root);
        w.String(Id);
    }

    protected int SizeOfTarget() => CommandWriter.SizeOf(Root) + CommandWriter.SizeOf(Id);

    protected static (string Root, string Id) ReadTarget(ref CommandReader r) =>
        (r.String() ?? throw new InvalidDataException("A subscription command without a root."), r.String() ?? throw new InvalidDataException("A subscription command without an id."));
}
