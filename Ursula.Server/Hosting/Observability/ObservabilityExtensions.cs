// AddObservability / UseObservability / MapObservability: the metrics pipeline (OpenTelemetry with
// its Prometheus exporter), the request-id and request-metrics middleware, the health probes, and
// leadership-change logging. Npgsql's pool metrics and DotNext's WAL and Raft metrics are exported
// too, renamed under ursula_ so that every series of the node shares one prefix.
using OpenTelemetry.Metrics;
using Ursula.Server.Diagnostics;

namespace Ursula.Server.Hosting.Observability;

public static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";

    // Npgsql labels its series with the pool's connection string; only the connection state is kept.
    private static readonly (string Meter, string Prefix, string Strip, string[]? Tags)[] Imported =
    [
        ("Npgsql", "ursula.postgres.", "db.client.", ["db.client.connection.state"]),
        ("DotNext.IO.WriteAheadLog", "ursula.wal.", string.Empty, null),
        ("DotNext.Net.Cluster.Consensus.Raft.Server", "ursula.raft.server.", string.Empty, null),
        ("DotNext.Net.Cluster.Consensus.Raft.Client", "ursula.raft.client.", string.Empty, null),
    ];

    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddSingleton<NodeGauges>();
        services.AddHostedService<LeadershipLogger>();
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(UrsulaMetrics.MeterName);
            foreach (var (meter, _, _, _) in Imported)
            {
                metrics.AddMeter(meter);
            }

            metrics.AddView(Rename);
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
        });
        return services;
    }

    /// <summary>Request ids and request metrics: the first middleware, so every answer is counted.</summary>
    public static IApplicationBuilder UseObservability(this IApplicationBuilder app)
    {
        app.ApplicationServices.GetRequiredService<NodeGauges>().Register();
        return app.UseMiddleware<RequestObservationMiddleware>();
    }

    /// <summary>The health probes and, for operators only (<see cref="OperatorAccess"/>), the metrics.</summary>
    public static void MapObservability(this IEndpointRouteBuilder endpoints)
    {
        HealthEndpoints.Map(endpoints);
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use(OperatorAccess.GuardAsync), optionsName: null);
    }

    private static MetricStreamConfiguration? Rename(System.Diagnostics.Metrics.Instrument instrument)
    {
        foreach (var (meter, prefix, strip, tags) in Imported)
        {
            if (instrument.Meter.Name == meter)
            {
                var name = strip.Length > 0 && instrument.Name.StartsWith(strip, StringComparison.Ordinal) ? instrument.Name[strip.Length..] : instrument.Name;
                return new MetricStreamConfiguration { Name = prefix + name, TagKeys = tags };
            }
        }

        return null;
    }
}
