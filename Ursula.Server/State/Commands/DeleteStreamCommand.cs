namespace Ursula.Server.State.Commands;

/// <summary>DELETE: remove a stream (soft delete while forks still read it).</summary>
[CommandKind(CommandKind.Delete)]
public sealed record DeleteStreamCommand(string Path) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Delete;

    public override bool IsClientCommand => true;

    public override void WriteFields(ref CommandWriter w) => w.String(Path);

    public override int SizeOfFields() => CommandWriter.SizeOf(Path);

    internal static Command ReadFields(ref CommandReader r) => new DeleteStreamCommand(r.Path());

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.Delete(this, context));
}
