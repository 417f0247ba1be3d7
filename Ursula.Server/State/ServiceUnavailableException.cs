namespace Ursula.Server.State;

/// <summary>A dependency (consensus, PostgreSQL) cannot serve right now; the client should retry.</summary>
public sealed class ServiceUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null)
    : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
