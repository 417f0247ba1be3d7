// The PostgreSQL faults of the fault harness, each injected into one node's database for a few
// seconds while that node keeps taking appends, then healed.
namespace Ursula.Tests.Infrastructure;

public enum PostgresFault
{
    /// <summary>Every backend of the node's database terminated, a few times in a row.</summary>
    TerminateBackends,

    /// <summary>The node's PostgreSQL server stopped for a few seconds, then started again.</summary>
    Stop,

    /// <summary>The node's database refuses writes (default_transaction_read_only) for a few seconds.</summary>
    RefuseWrites,

    /// <summary>Every process of the node's PostgreSQL server frozen (SIGSTOP) for a few seconds, then thawed.</summary>
    Stall,
}

/// <summary>What a fault may do to the node's own PostgreSQL server: stop or start it, freeze or thaw it.</summary>
public sealed record PostgresServerControl(Func<bool, Task> StopOrStart, Func<bool, int> FreezeOrThaw);

public static class PostgresFaultInjector
{
    /// <summary>How long a stop or a refusal lasts.</summary>
    public static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    /// <summary>Injects the fault and heals it.</summary>
    public static async Task InjectAsync(PostgresFault fault, string connectionString, PostgresServerControl server, Func<Task<int>> health, Action<string> log, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case PostgresFault.TerminateBackends:
                var terminated = 0;
                for (var i = 0; i < 3; i++)
                {
                    terminated += await PostgresFaults.TerminateBackendsAsync(connectionString, cancellationToken);
                    await Task.Delay(300, cancellationToken);
                }

                log($"terminated {terminated} backends in three rounds 300 ms apart");
                break;
            case PostgresFault.Stop:
                await server.StopOrStart(false);
                log($"PostgreSQL stopped; node health {await WaitForHealthAsync(health, 503, cancellationToken)} within {Outage.TotalSeconds} s");
                await Task.Delay(Outage, cancellationToken);
                await server.StopOrStart(true);
                log("PostgreSQL started again");
                break;
            case PostgresFault.RefuseWrites:
                await PostgresFaults.RefuseWritesAsync(connectionString, true, cancellationToken);
                log($"PostgreSQL refuses writes; node health {await WaitForHealthAsync(health, 503, cancellationToken)} within {Outage.TotalSeconds} s");
                await Task.Delay(Outage, cancellationToken);
                await PostgresFaults.RefuseWritesAsync(connectionString, false, cancellationToken);
                log("PostgreSQL takes writes again");
                break;
            case PostgresFault.Stall:
                var frozen = server.FreezeOrThaw(true);
                log($"PostgreSQL frozen ({frozen} processes stopped); node health {await WaitForHealthAsync(health, 503, cancellationToken)} within {Outage.TotalSeconds} s");
                await Task.Delay(Outage, cancellationToken);
                log($"PostgreSQL thawed ({server.FreezeOrThaw(false)} processes continued)");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault));
        }
    }

    /// <summary>Polls the node's health until it answers <paramref name="status"/> (or the outage is over); returns the last answer.</summary>
    public static async Task<int> WaitForHealthAsync(Func<Task<int>> health, int status, CancellationToken cancellationToken, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Outage);
        int last;
        while ((last = await health()) != status && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken);
        }

        return last;
    }
}
