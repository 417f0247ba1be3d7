namespace Ursula.Server.Replication.Subscriptions;

/// <summary>Webhook retries: exponential from 1 second up to 60 seconds, with 20% jitter either way.</summary>
public static class Backoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(60);
    public const double Jitter = 0.2;

    /// <param name="failedAttempts">Attempts that failed before this one.</param>
    /// <param name="random">A uniform draw in [0, 1).</param>
    public static TimeSpan NextDelay(int failedAttempts, double random)
    {
        var baseMs = Math.Min(Max.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, Math.Clamp(failedAttempts, 0, 30)));
        return TimeSpan.FromMilliseconds(baseMs * (1 - Jitter + (2 * Jitter * random)));
    }
}
