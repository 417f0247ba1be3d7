// The node's instruments (System.Diagnostics.Metrics, meter "Ursula"), exported in Prometheus text
// at /_ursula/metrics. They are static so that any layer can record a measurement with one call and
// no dependency on the host; observable gauges over the node's services are registered by
// Hosting/Observability/NodeGauges. Names use dots and units; the exporter turns
// "ursula.requests" into ursula_requests_total and "ursula.append.duration" (s) into
// ursula_append_duration_seconds.
using System.Diagnostics.Metrics;

namespace Ursula.Server.Diagnostics;

public static class UrsulaMetrics
{
    public const string MeterName = "Ursula";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Requests answered, by route kind and status code.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("ursula.requests", "{request}", "HTTP requests answered, by route kind and status");

    /// <summary>Time from an append's arrival to its answer (durable and applied, or refused).</summary>
    public static readonly Histogram<double> AppendDuration = Meter.CreateHistogram(
        "ursula.append.duration", "s", "Time to answer an append (POST), by status",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>Time to answer a catch-up read (GET without live mode).</summary>
    public static readonly Histogram<double> ReadDuration = Meter.CreateHistogram(
        "ursula.read.duration", "s", "Time to answer a catch-up read (GET without live), by status",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static readonly Counter<long> BytesIn = Meter.CreateCounter<long>("ursula.http.request.bytes", "By", "Request body bytes received, by route kind");

    public static readonly Counter<long> BytesOut = Meter.CreateCounter<long>("ursula.http.response.bytes", "By", "Response body bytes sent, by route kind");

    /// <summary>Live readers open now, by kind: sse, long-poll, hub.</summary>
    public static readonly UpDownCounter<long> LiveConnections = Meter.CreateUpDownCounter<long>("ursula.live.connections", "{connection}", "Live readers connected now, by kind (sse, long-poll, hub)");

    /// <summary>Commands in one replicated (group-committed) log entry.</summary>
    public static readonly Histogram<int> BatchCommands = Meter.CreateHistogram(
        "ursula.group_commit.commands", "{command}", "Commands in one group-committed log entry",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    /// <summary>Time one Raft log entry took from submission to committed and applied on this leader (WAL flush and replication included).</summary>
    public static readonly Histogram<double> ReplicateDuration = Meter.CreateHistogram(
        "ursula.raft.replicate.duration", "s", "Time from submitting a log entry to it being committed (the WAL flushed) and applied",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>Time one flush of applied state into PostgreSQL took.</summary>
    public static readonly Histogram<double> PostgresFlushDuration = Meter.CreateHistogram(
        "ursula.postgres.flush.duration", "s", "Time to write one batch of applied state into PostgreSQL",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static readonly Counter<long> PostgresFlushFailures = Meter.CreateCounter<long>("ursula.postgres.flush.failures", "{flush}", "Flushes into PostgreSQL that failed (the batch stays pending and is retried)");

    public static readonly Counter<long> ArchiveFailures = Meter.CreateCounter<long>("ursula.archive.failures", "{round}", "Archive rounds that failed");

    public static readonly Counter<long> LeaderChanges = Meter.CreateCounter<long>("ursula.raft.leader.changes", "{change}", "Times this node saw the leader change (or become unknown)");

    private static ReadOnlySpan<double> LatencyBucketsSpan => [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static double[] LatencyBuckets => LatencyBucketsSpan.ToArray();
}
