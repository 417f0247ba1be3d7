using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Replication;

/// <summary>The write path as the protocol layer sees it: a command in, the outcome of its apply out.</summary>
public interface ICommandSubmitter
{
    /// <summary>Sequences, replicates and applies a command; throws <see cref="ServiceUnavailableException"/> when that cannot happen now.</summary>
    ValueTask<ApplyOutcome> SubmitAsync(Command command, CancellationToken cancellationToken);

    /// <summary>True when this node may not have applied everything the cluster acknowledged yet.</summary>
    bool MayBeBehind { get; }

    /// <summary>Waits until this node has applied everything committed so far (a read barrier).</summary>
    ValueTask SyncWithLeaderAsync(CancellationToken cancellationToken);

    /// <summary>Renews a sliding TTL after a read, without waiting for it.</summary>
    void Touch(StreamMeta meta);
}
