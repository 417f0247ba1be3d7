// The leader's handle on one log entry in flight: the waiters of its commands, in entry order.
// It travels as the entry's Context, so the leader's own apply hands it the outcomes directly;
// the sequencer releases them once the entry is durable on a majority. DotNext keeps a context by
// log index alone: when a new leader overwrites this node's uncommitted entry, the entry applied
// at that index is another one, which the term tells (term and index identify an entry in Raft).
using Ursula.Server.State;

namespace Ursula.Server.Replication;

public sealed class PendingBatch(IReadOnlyList<PendingCommand> commands, long term)
{
    public IReadOnlyList<PendingCommand> Commands { get; } = commands;

    /// <summary>The term the entry was proposed in.</summary>
    public long Term { get; } = term;

    private ApplyOutcome[]? outcomes;

    /// <summary>
    /// Called by apply with the entry applied at this batch's index: its outcomes are held until
    /// <see cref="Release"/> if it is this batch's entry; another entry's outcomes are not ours.
    /// </summary>
    public void Complete(long appliedTerm, ApplyOutcome[] applied)
    {
        if (appliedTerm == Term && applied.Length == Commands.Count)
        {
            Volatile.Write(ref outcomes, applied);
        }
    }

    /// <summary>Answers every waiter with its outcome; false when apply has not produced them.</summary>
    public bool Release()
    {
        var applied = Volatile.Read(ref outcomes);
        if (applied is null)
        {
            return false;
        }

        for (var i = 0; i < Commands.Count && i < applied.Length; i++)
        {
            Commands[i].Completion?.TrySetResult(applied[i]);
        }

        return true;
    }

    public void Fail(Exception error)
    {
        foreach (var command in Commands)
        {
            command.Completion?.TrySetException(error);
        }
    }
}

/// <summary>A command waiting to be sequenced; touches have no waiter.</summary>
public sealed record PendingCommand(State.Commands.Command Command, TaskCompletionSource<ApplyOutcome>? Completion);
