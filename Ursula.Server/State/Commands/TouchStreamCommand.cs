namespace Ursula.Server.State.Commands;

/// <summary>A read renewed a sliding TTL; replicated so that every node expires streams alike.</summary>
[CommandKind(CommandKind.Touch)]
public sealed record TouchStreamCommand(string Path, long StreamId) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Touch;

    /// <summary>A follower forwards the touches of reads it served.</summary>
    public override bool IsClientCommand => true;

    public override void WriteFields(ref CommandWriter w)
    {
        w.String(Path);
        w.Int64(StreamId);
    }

    public override int SizeOfFields() => CommandWriter.SizeOf(Path) + 8;

    internal override string? ValidateFields(CommandLimits limits, bool jsonFlattenedHere) => StreamId < 0 ? "A stream id is never negative" : null;

    internal static Command ReadFields(ref CommandReader r) => new TouchStreamCommand(r.Path(), r.Int64());

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.Touch(this));
}
