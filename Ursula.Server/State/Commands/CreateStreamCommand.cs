namespace Ursula.Server.State.Commands;

/// <summary>PUT: create a stream (optionally closed, with a TTL or deadline, or as a fork).</summary>
[CommandKind(CommandKind.Create)]
public sealed record CreateStreamCommand(
    string Path,
    string? ContentType,
    long? TtlSeconds,
    string? ExpiresAt,
    bool Closed,
    CommandBody Body,
    ForkRequest? Fork) : StreamCommand(Path)
{
    public override CommandKind Kind => CommandKind.Create;

    public override bool IsClientCommand => true;

    public override void WriteFields(ref CommandWriter w)
    {
        w.String(Path);
        w.String(ContentType);
        w.NullableInt64(TtlSeconds);
        w.String(ExpiresAt);
        w.Bool(Closed);
        w.Body(Body);
        w.Bool(Fork is not null);
        if (Fork is { } fork)
        {
            w.String(fork.SourcePath);
            w.NullableInt64(fork.Position);
            w.Int64(fork.SubOffset);
        }
    }

    public override int SizeOfFields() =>
        CommandWriter.SizeOf(Path) + CommandWriter.SizeOf(ContentType) + 9 + CommandWriter.SizeOf(ExpiresAt) + 1 + CommandWriter.SizeOf(Body) + 1
        + (Fork is { } fork ? CommandWriter.SizeOf(fork.SourcePath) + 9 + 8 : 0);

    internal static Command ReadFields(ref CommandReader r)
    {
        var path = r.Path();
        var contentType = r.String();
        var ttl = r.NullableInt64();
        var expiresAt = r.String();
        var closed = r.Bool();
        var body = r.Body();
        ForkRequest? fork = null;
        if (r.Bool())
        {
            var source = r.String() ?? throw new InvalidDataException("Fork without a source.");
            fork = new ForkRequest(source, r.NullableInt64(), r.Int64());
        }

        return new CreateStreamCommand(path, contentType, ttl, expiresAt, closed, body, fork);
    }

    internal override string? ValidateFields(CommandLimits limits, bool jsonFlattenedHere) => CommandValidator.ValidateCreate(this, limits, jsonFlattenedHere);

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.Create(this, context));
}
