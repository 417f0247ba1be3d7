// Tells background services when this node becomes the leader, from DotNext's LeaderChanged
// event instead of each service polling IsLeader. The token it hands out is the leadership's own:
// cancelled the moment this node stops leading, so a service's work as leader ends with it.
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;

namespace Ursula.Server.Replication;

public sealed class LeadershipSignal
{
    private readonly IRaftCluster cluster;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LeadershipSignal(IRaftCluster cluster)
    {
        this.cluster = cluster;
        cluster.LeaderChanged += OnLeaderChanged;
    }

    /// <summary>Returns once this node leads, with the token that is cancelled when it stops.</summary>
    public async Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = Volatile.Read(ref changed).Task;
            var leadership = cluster.LeadershipToken;
            if (!leadership.IsCancellationRequested)
            {
                return leadership;
            }

            // DotNext raises LeaderChanged when the election is won, and hands out the leadership
            // token once the new leader's first entry is committed, a moment later: after an event,
            // look again shortly, in case the token was not live yet.
            await next.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            if (next.IsCompleted)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    private void OnLeaderChanged(ICluster sender, IClusterMember? leader) =>
        Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
