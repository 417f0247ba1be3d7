namespace Ursula.Bench.Fanout;

/// <summary>One subscriber of the fan-out verb, over SSE or the SignalR hub.</summary>
public interface IFanoutSubscriber
{
    /// <summary>Completes once the subscription is live (SSE: the first control event; hub: the first item).</summary>
    Task Ready { get; }

    ReceivedSet Received { get; }

    int Reconnects { get; }

    Task RunAsync(SemaphoreSlim connectGate, CancellationToken ct);
}
