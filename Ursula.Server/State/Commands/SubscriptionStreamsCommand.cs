using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.State.Commands;

/// <summary>POST .../streams adds explicit links; DELETE .../streams/:path removes one (a glob link stays).</summary>
[CommandKind(CommandKind.SubscriptionStreams)]
public sealed record SubscriptionStreamsCommand(string Root, string Id, IReadOnlyList<string> Add, IReadOnlyList<string> Remove) : SubscriptionCommand(Root, Id)
{
    public override CommandKind Kind => CommandKind.SubscriptionStreams;

    public override void WriteFields(ref CommandWriter w)
    {
        WriteTarget(ref w);
        w.Strings(Add);
        w.Strings(Remove);
    }

    public override int SizeOfFields() => SizeOfTarget() + CommandWriter.SizeOf(Add) + CommandWriter.SizeOf(Remove);

    internal static Command ReadFields(ref CommandReader r)
    {
        var (root, id) = ReadTarget(ref r);
        return new SubscriptionStreamsCommand(root, id, r.Strings(), r.Strings());
    }

    internal override string? ValidateSubscriptionFields(CommandLimits limits)
    {
        if (Add.Count + Remove.Count is 0 or > SubscriptionRules.MaxStreams)
        {
            return $"1 to {SubscriptionRules.MaxStreams} streams";
        }

        return Add.Concat(Remove).Select(s => SubscriptionRules.CheckRelativePath(Root, s, limits)).FirstOrDefault(e => e is not null);
    }

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.ChangeSubscriptionStreams(this, context));
}
