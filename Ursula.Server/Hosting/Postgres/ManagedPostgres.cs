// PLACEHOLDER until the managed PostgreSQL component lands (being written in parallel).
namespace Ursula.Server.Hosting.Postgres;

public sealed class ManagedPostgresOptions
{
    public required string DataDirectory { get; init; }
}

public sealed class ManagedPostgres : IAsyncDisposable
{
    public string ConnectionString { get; private init; } = "";

    public static Task<ManagedPostgres> StartAsync(ManagedPostgresOptions options, ILogger logger, CancellationToken cancellationToken) =>
        throw new NotSupportedException("managed PostgreSQL not yet available; pass --postgres");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
