// The first thing a stop (SIGTERM, Ctrl+C) does, before any service stops: live readers have
// already been told to end (they watch ApplicationStopping and finish with a control event, a 204
// or a hub error), new requests are refused, the writes in flight are answered, and a leader
// makes sure its followers have every committed entry, resigns and stays out of the next election
// (DotNext's standby mode), so that the others elect a leader among themselves without waiting for
// this node. Then the services stop as usual: the sequencer, a last flush into PostgreSQL, Raft,
// Kestrel, and finally the managed PostgreSQL.
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Extensions;

namespace Ursula.Server.Hosting.Lifecycle;

internal sealed class GracefulShutdown(DrainState drain, IRaftCluster cluster, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private Task? stopping;

    /// <summary>Runs once: the host's stop may be asked for twice (the signal, then the caller's own StopAsync).</summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return stopping ??= DrainAndHandOverAsync(cancellationToken);
        }
    }

    private async Task DrainAndHandOverAsync(CancellationToken cancellationToken)
    {
        LifecycleLog.Draining(logger, drain.InFlight);
        if (!await drain.DrainAsync(DrainTimeout, cancellationToken))
        {
            LifecycleLog.DrainTimedOut(logger, drain.InFlight, DrainTimeout.TotalSeconds);
        }

        await HandOverAsync(cancellationToken);
    }

    private async Task HandOverAsync(CancellationToken cancellationToken)
    {
        if (cluster.LeadershipToken.IsCancellationRequested || cluster.Members.Count <= 1)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(HandOverTimeout);
        try
        {
            // Followers learn the latest commit index, so whichever is elected has every acknowledged write.
            await cluster.ForceReplicationAsync(limit.Token);
            if (!await cluster.ResignAsync(limit.Token))
            {
                LifecycleLog.HandOverFailed(logger, "no longer the leader", null);
                return;
            }

            // Standby: this node never stands again, so the next leader is one of the others. (It
            // cannot watch that election: DotNext stops serving Raft requests once the host stops.)
            var standby = cluster is IStandbyModeSupport support && await support.EnableStandbyModeAsync(limit.Token);
            LifecycleLog.HandedOver(logger, cluster.Term, standby);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or QuorumUnreachableException or ObjectDisposedException)
        {
            LifecycleLog.HandOverFailed(logger, e.GetType().Name, e);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
