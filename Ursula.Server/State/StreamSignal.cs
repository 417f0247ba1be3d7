// One wake-up per stream: apply pulses the signal after it publishes new data or closure, and every
// waiting reader of that stream (long-poll, SSE, SignalR) wakes from the same completed task.
namespace Ursula.Server.State;

public sealed class StreamSignal
{
    private TaskCompletionSource current = NewSource();

    /// <summary>A task that completes at the next pulse. Take it before checking the state you wait on.</summary>
    public Task NextPulse => Volatile.Read(ref current).Task;

    public void Pulse()
    {
        var previous = Interlocked.Exchange(ref current, NewSource());
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
