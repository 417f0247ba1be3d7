namespace Ursula.Server.State.Commands;

/// <summary>
/// The leader's sweeper found producer state idle for longer than <paramref name="IdleMs"/>. The
/// idle time travels in the entry and apply measures it against the entry's time, so every node
/// drops the same producers at the same log position whatever its own configuration or clock.
/// </summary>
[CommandKind(CommandKind.ExpireProducers)]
public sealed record ExpireProducersCommand(long IdleMs) : Command
{
    public override CommandKind Kind => CommandKind.ExpireProducers;

    public override void WriteFields(ref CommandWriter w) => w.Int64(IdleMs);

    public override int SizeOfFields() => 8;

    internal static Command ReadFields(ref CommandReader r) => new ExpireProducersCommand(r.Int64());

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.ExpireProducers(this));
}
