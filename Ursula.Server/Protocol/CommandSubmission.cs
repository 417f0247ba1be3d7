using Ursula.Server.Replication;
using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Protocol;

public static class CommandSubmission
{
    /// <summary>
    /// What every client surface does with a command it built: the one validator (a 400 outcome
    /// when it refuses), then sequencing, replication and apply.
    /// </summary>
    public static async ValueTask<ApplyOutcome> ValidateAndSubmitAsync(this ICommandSubmitter submitter, Command command, CommandLimits limits, CancellationToken cancellationToken)
    {
        if (CommandValidator.Validate(command, limits, jsonFlattenedHere: true) is { } invalid)
        {
            return ApplyOutcome.Fail(400, invalid);
        }

        return await submitter.SubmitAsync(command, cancellationToken);
    }
}
