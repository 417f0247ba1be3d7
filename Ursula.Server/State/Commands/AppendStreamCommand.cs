namespace Ursula.Server.State.Commands;

/// <summary>POST: append, append-and-close, or close; with Stream-Seq or an idempotent producer.</summary>
[CommandKind(CommandKind.Append)]
public sealed record AppendStreamCommand(
    string Path,
    string? ContentType,
    string? StreamSeq,
    ProducerClaim? Producer,
    bool Close,
    CommandBody Body) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Append;

    public override bool IsClientCommand => true;

    public override void WriteFields(ref CommandWriter w)
    {
        w.String(Path);
        w.String(ContentType);
        w.String(StreamSeq);
        w.Bool(Producer is not null);
        if (Producer is { } p)
        {
            w.String(p.Id);
            w.Int64(p.Epoch);
            w.Int64(p.Seq);
        }

        w.Bool(Close);
        w.Body(Body);
    }

    public override int SizeOfFields() =>
        CommandWriter.SizeOf(Path) + CommandWriter.SizeOf(ContentType) + CommandWriter.SizeOf(StreamSeq) + 1
        + (Producer is { } p ? CommandWriter.SizeOf(p.Id) + 16 : 0) + 1 + CommandWriter.SizeOf(Body);

    internal static Command ReadFields(ref CommandReader r)
    {
        var path = r.Path();
        var contentType = r.String();
        var seq = r.String();
        ProducerClaim? producer = null;
        if (r.Bool())
        {
            var producerId = r.String() ?? string.Empty;
            producer = new ProducerClaim(producerId, r.Int64(), r.Int64());
        }

        var close = r.Bool();
        var body = r.Body();
        return new AppendStreamCommand(path, contentType, seq, producer, close, body);
    }

    internal override string? ValidateFields(CommandLimits limits, bool jsonFlattenedHere) => CommandValidator.ValidateAppend(this, limits, jsonFlattenedHere);

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.Append(this, context));
}
