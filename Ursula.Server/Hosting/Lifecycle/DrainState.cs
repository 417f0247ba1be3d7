// Whether the node is shutting down, and how many write requests (appends, creates, deletes,
// forwarded commands) are still being answered: a graceful stop refuses new requests and waits
// for these to finish before it hands leadership over and stops Raft.
namespace Ursula.Server.Hosting.Lifecycle;

public sealed class DrainState
{
    private readonly TaskCompletionSource idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int inFlight;
    private volatile bool draining;

    public bool IsDraining => draining;

    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Counts a write request in; false once draining (the caller answers 503).</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref inFlight);
        if (!draining)
        {
            return true;
        }

        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref inFlight) == 0 && draining)
        {
            idle.TrySetResult();
        }
    }

    /// <summary>Refuses new requests from now on and waits until those in flight are answered, or the timeout.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        draining = true;
        if (Volatile.Read(ref inFlight) == 0)
        {
            idle.TrySetResult();
        }

        try
        {
            await idle.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
