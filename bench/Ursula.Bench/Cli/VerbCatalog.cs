namespace Ursula.Bench.Cli;

/// <summary>The verbs of Ursula.Bench and their options with defaults; the single source for parsing and --help.</summary>
public static class VerbCatalog
{
    private static readonly OptionSpec[] Common =
    [
        new("json", "", "append the result as one JSON line to this file (for a driver script)"),
        new("label", "default", "label of this run in the result, e.g. the server name (ursula-pg, node-ref)"),
        new("workload", "", "group name used by 'report' (default: derived from the verb and its main parameters)"),
        new("watch-pid", "", "sample VmRSS of these PIDs every 100 ms, e.g. 1234 or server=1234,other=5678"),
        new("watch-tree", "", "like --watch-pid but sums RSS (and PSS) over the PID and all its descendants, e.g. pg=999"),
    ];

    public static readonly VerbSpec Append = new(
        "append",
        "create N streams and append fixed-size payloads from C concurrent writers",
        [
            new("url", OptionSpec.Required, "base URL; streams are created at BASE/<run-id>/s<i>"),
            new("streams", "100", "number of streams"),
            new("concurrency", "64", "concurrent writers (each sends one request at a time, round-robin over streams)"),
            new("payload", "256", "payload size per append (bytes; KB/MB suffixes allowed)"),
            new("duration", "10s", "measured duration"),
            new("warmup", "2s", "unmeasured warm-up before the measured duration"),
            OptionSpec.Flag("producer", "send idempotent producer headers (Producer-Id/Epoch/Seq), one producer per writer"),
            new("rate", "0", "target appends/s shared by all writers (0 = closed loop, as fast as possible)"),
            new("content-type", "application/octet-stream", "stream content type"),
            new("connections", "0", "max HTTP/1.1 connections (0 = concurrency)"),
            new("timeout", "30s", "per-request timeout"),
            .. Common,
        ]);

    public static readonly VerbSpec Fanout = new(
        "fanout",
        "one stream, S SSE subscribers at offset=now, one writer at R appends/s; measures publish-to-receive latency",
        [
            new("url", OptionSpec.Required, "base URL; the stream is created at BASE/<run-id>/fanout"),
            new("subscribers", "1000", "number of SSE subscribers"),
            new("rate", "50", "appends/s of the single writer"),
            new("duration", "10s", "how long the writer publishes"),
            new("payload", "64", "payload size (>= 35 bytes, 37 for JSON): 't=<ticks> s=<seq> ' plus padding"),
            new("content-type", "text/plain", "stream content type (text/plain or application/json keep SSE data unencoded)"),
            new("max-in-flight", "16", "max outstanding appends of the writer (1 = strictly sequential)"),
            new("connect-parallelism", "64", "how many SSE connections are opened at the same time"),
            new("ready-timeout", "60s", "max wait for every subscriber's first control event"),
            new("drain", "5s", "max wait after the last append for subscribers to catch up"),
            .. Common,
        ]);

    public static readonly VerbSpec Catchup = new(
        "catchup",
        "pre-fill one stream, then R readers each read it from offset=-1 to the tail",
        [
            new("url", OptionSpec.Required, "base URL; the stream is created at BASE/<run-id>/catchup"),
            new("readers", "8", "concurrent readers"),
            new("size", "64MB", "total stream size to pre-fill"),
            new("payload", "64KB", "size of each pre-fill append"),
            new("fill-concurrency", "4", "concurrent pre-fill appends"),
            new("buffer", "64KB", "reader receive buffer size"),
            new("timeout", "120s", "per-request timeout"),
            .. Common,
        ]);

    public static readonly VerbSpec Report = new(
        "report",
        "aggregate JSON-lines results into DIR/results.md and PNG charts",
        [
            new("in", "results.jsonl", "JSON-lines result file(s) written by --json, comma-separated"),
            new("out", "bench-report", "output directory"),
            new("machine", "", "JSON file with one object of facts about the machine and run (CPU, memory, kernel, ...), shown as a table"),
            new("ratios", "", "label pairs to compare, e.g. ursula/ref-memory,ursula/ref-file: a table of mean(A)/mean(B) of the key metrics"),
            new("title", "Ursula benchmark results", "heading of results.md"),
        ]);

    public static IReadOnlyList<VerbSpec> All { get; } = [Append, Fanout, Catchup, Report];

    public static VerbSpec? Find(string name) =>
        All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
}
