namespace Ursula.Server.Protocol;

/// <summary>Failures of the node's storage rather than of the request: every client surface answers them 503, retry.</summary>
public static class StorageFailure
{
    public const string Message = "This node's PostgreSQL is unreachable; retry shortly or on another node";

    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public static bool Is(Exception e) =>
        e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException
        || (e is InvalidOperationException && e.InnerException is Npgsql.NpgsqlException);
}
