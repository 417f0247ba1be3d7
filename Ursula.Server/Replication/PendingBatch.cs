// The leader's handle on one log entry in flight: the waiters of its commands, in entry order.
// It travels as the entry's Context, so the leader's own apply completes the waiters directly.
using Ursula.Server.State;

namespace Ursula.Server.Replication;

public sealed class PendingBatch(IReadOnlyList<PendingCommand> commands)
{
    public IReadOnlyList<PendingCommand> Commands { get; } = commands;

    public void Complete(ApplyOutcome[] outcomes)
    {
        for (var i = 0; i < Commands.Count && i < outcomes.Length; i++)
        {
            Commands[i].Completion?.TrySetResult(outcomes[i]);
        }
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
public sealed record PendingCommand(State.Commands.StreamCommand Command, TaskCompletionSource<ApplyOutcome>? Completion);
