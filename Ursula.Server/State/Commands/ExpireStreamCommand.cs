namespace Ursula.Server.State.Commands;

/// <summary>The leader's sweeper found the stream past its expiry; apply re-checks with the entry time.</summary>
[CommandKind(CommandKind.Expire)]
public sealed record ExpireStreamCommand(string Path, long StreamId) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Expire;

    public override void WriteFields(ref CommandWriter w)
    {
        w.String(Path);
        w.Int64(StreamId);
    }

    public override int SizeOfFields() => CommandWriter.SizeOf(Path) + 8;

    internal static Command ReadFields(ref CommandReader r) => new ExpireStreamCommand(r.Path(), r.Int64());

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.Expire(this, context));
}
