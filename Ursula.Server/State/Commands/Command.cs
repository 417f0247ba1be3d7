// The write model: every change to replicated state is a command, sequenced into the Raft log and
// applied deterministically on every node. A command kind lives in one file: its fields, how they
// are written (WriteFields, SizeOfFields), how they are read (a static ReadFields the registry
// finds through [CommandKind]), and what applying it does (ApplyAsync). Nothing else dispatches on
// the kind: the codec looks the reader up, and apply calls the command.
namespace Ursula.Server.State.Commands;

public abstract record Command
{
    public abstract CommandKind Kind { get; }

    /// <summary>
    /// Whether a follower may forward this kind to the leader on a client's behalf. The others are
    /// issued only by the leader's own services (expiry, archiving) and refused when forwarded.
    /// </summary>
    public virtual bool IsClientCommand => false;

    /// <summary>Writes the fields that follow the kind byte.</summary>
    public abstract void WriteFields(ref CommandWriter writer);

    /// <summary>At most the bytes <see cref="WriteFields"/> writes (exact but for absent numbers).</summary>
    public abstract int SizeOfFields();

    /// <summary>
    /// The kind's own checks of a client command (the validator has checked what all commands
    /// share); null when acceptable, else the reason for a 400. Never reads state.
    /// </summary>
    internal virtual string? ValidateFields(CommandLimits limits, bool jsonFlattenedHere) => null;

    /// <summary>Applies the command to the node's state; called by apply, in log order, on one thread.</summary>
    internal abstract ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context);
}

/// <summary>A command addressed to one stream path.</summary>
public abstract record StreamCommand(string Path) : Command;

/// <summary>Marks a command type with its kind byte; the type declares <c>static Command ReadFields(ref CommandReader)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class CommandKindAttribute(CommandKind kind) : Attribute
{
    public CommandKind Kind { get; } = kind;
}

/// <summary>What apply hands a command: the entry being applied and the state it changes.</summary>
internal sealed class ApplyContext(StreamCatalog catalog, long index, HashSet<StreamHandle> touched, CancellationToken cancellationToken)
{
    public StreamCatalog Catalog { get; } = catalog;

    /// <summary>The log index of the entry.</summary>
    public long Index { get; } = index;

    /// <summary>Streams whose readers apply wakes once the entry is applied.</summary>
    public HashSet<StreamHandle> Touched { get; } = touched;

    public CancellationToken CancellationToken { get; } = cancellationToken;
}
