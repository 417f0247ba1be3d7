// Probes for orchestrators: /_ursula/health/live answers as long as the process serves HTTP;
// /_ursula/health/ready answers 200 only while the node can serve writes and consistent reads: a
// leader is known, PostgreSQL answers, the node is not catching up (through a snapshot, or
// behind the leader's log: it passes the same read barrier as a consistent read), and it is not
// shutting down.
// /_ursula/health (NodeEndpoints) keeps its fuller report.
using System.Text.Json.Serialization;
using DotNext.Net.Cluster.Consensus.Raft;
using Npgsql;
using Ursula.Server.State.Postgres;

namespace Ursula.Server.Hosting.Observability;

public static class HealthEndpoints
{
    private static readonly TimeSpan PostgresProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CatchUpProbeTimeout = TimeSpan.FromSeconds(1);

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/live", () => Results.Json(new ProbeReport("live", []), ObservabilityJsonContext.Default.ProbeReport));
        endpoints.MapGet("/health/ready", ReadyAsync);
    }

    private static async Task<IResult> ReadyAsync(HttpContext context, NpgsqlDataSource dataSource, PostgresSnapshots snapshots, IRaftCluster cluster, Lifecycle.DrainState drain, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (drain.IsDraining)
        {
            problems.Add("The node is shutting down");
        }

        if (cluster.Leader is null)
        {
            problems.Add("No leader is known");
        }

        if (snapshots.IsInstalling)
        {
            problems.Add("Catching up: installing a snapshot of the leader's state");
        }
        else if (cluster.Leader is not null && !await CaughtUpAsync(cluster, cancellationToken))
        {
            problems.Add("Catching up: this node has not yet applied what the leader has committed");
        }

        if (await PostgresProblemAsync(dataSource, cancellationToken) is { } postgres)
        {
            problems.Add(postgres);
        }

        if (problems.Count == 0)
        {
            return Results.Json(new ProbeReport("ready", []), ObservabilityJsonContext.Default.ProbeReport);
        }

        context.Response.Headers.RetryAfter = "1";
        return Results.Json(new ProbeReport("unavailable", problems), ObservabilityJsonContext.Default.ProbeReport, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// The read barrier every consistent read passes: true once this node has applied all the
    /// leader had committed when asked. A restarted follower is not ready while it replays or
    /// awaits the leader's log (before a snapshot install even starts), only once it could answer.
    /// </summary>
    private static async Task<bool> CaughtUpAsync(IRaftCluster cluster, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CatchUpProbeTimeout);
        try
        {
            await cluster.ApplyReadBarrierAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<string?> PostgresProblemAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PostgresProbeTimeout);
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"PostgreSQL unreachable: {e.Message}";
        }
    }
}

public sealed record ProbeReport(string Status, IReadOnlyList<string> Problems);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProbeReport))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class ObservabilityJsonContext : JsonSerializerContext;
