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
            new("client", "raw", "raw: each writer sends pre-encoded POSTs over its own HTTP/1.1 connection (a fraction of HttpClient's CPU per request); http: HttpClient (needed for --producer)"),
            new("connections", "0", "max HTTP/1.1 connections (0 = concurrency)"),
            new("timeout", "30s", "per-request timeout"),
            .. Common,
        ]);

    public static readonly VerbSpec Fanout = new(
        "fanout",
        "one stream, S subscribers (SSE or the SignalR hub) at offset=now, one writer at R appends/s; measures publish-to-receive latency",
        [
            new("url", OptionSpec.Required, "base URL; the stream is created at BASE/<run-id>/fanout"),
            new("subscribers", "1000", "number of subscribers"),
            new("transport", "sse", "sse (GET ?live=sse) or hub (Ursula's SignalR hub at /_ursula/hub: Subscribe over a WebSocket, JSON protocol)"),
            new("rate", "50", "appends/s of the single writer"),
            new("duration", "10s", "how long the writer publishes"),
            new("warmup", "2s", "publishing at the same rate before the measured window (the server's and the subscribers' first deliveries): delivered and checked, not timed"),
            new("payload", "64", "payload size (>= 35 bytes, 37 for JSON): 't=<ticks> s=<seq> ' plus padding"),
            new("content-type", "text/plain", "stream content type (text/plain or application/json keep SSE data unencoded)"),
            new("max-in-flight", "16", "max outstanding appends of the writer (1 = strictly sequential)"),
            new("connect-parallelism", "64", "how many subscriber connections are opened at the same time"),
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
            new("stream", "", "the stream's full URL instead of BASE/<run-id>/catchup (to fill and read it in separate runs)"),
            OptionSpec.Flag("fill-only", "create and pre-fill the stream, read nothing (for a later --no-fill run)"),
            OptionSpec.Flag("no-fill", "read an existing stream (--stream) that an earlier --fill-only run filled with --size bytes of --payload"),
            .. Common,
        ]);

    public static readonly VerbSpec Soak = new(
        "soak",
        "a bounded mixed load (paced writers, SSE readers, catch-up readers) in windows; latency, errors and memory per window, first against last",
        [
            new("url", OptionSpec.Required, "base URL; streams are created at BASE/<run-id>/s<i>"),
            new("duration", "2m", "how long the load runs (at most 24h)"),
            new("window", "15s", "length of one reporting window"),
            new("streams", "20", "streams the writers spread over"),
            new("writers", "8", "concurrent writers sharing the paced rate"),
            new("rate", "200", "appends/s of all writers together (open loop)"),
            new("payload", "256", "append size (bytes)"),
            new("sse-readers", "20", "SSE readers tailing the streams live"),
            new("catchup-readers", "2", "readers that read whole streams from the start, over and over"),
            new("timeout", "30s", "per-request timeout of writers and catch-up readers"),
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

    public static readonly VerbSpec Compare = new(
        "compare",
        "the fair comparison run: build, then start each system alone, warm it up, measure every workload, stop it; alternate; write bench/results",
        [
            new("repo", "", "repository root (default: found upwards from the current directory)"),
            new("systems", "ursula-single,ursula-cluster3,ref-memory,ref-file", "systems to compare, in the order of the first round"),
            new("workloads", "all", "workloads to run, comma-separated: append-peak, append-half-peak, sse-fanout, hub-fanout (Ursula only), hot-catchup, cold-catchup-fs, cold-catchup-s3, memory; families catchup (hot + both cold), cold-catchup, append; 'all' = every one"),
            new("rounds", "2", "rounds; each starts every system afresh, alternating the order"),
            new("warmup", "5s", "unmeasured wrk appends after each start, before any workload"),
            new("append-warmup", "2s", "unmeasured load right before each measured append run"),
            new("append-duration", "10s", "measured duration of the append runs (wrk peak and the half-peak run)"),
            new("streams", "100", "streams the append runs spread their load over"),
            new("connections", "64", "wrk connections (and writers of the half-peak run)"),
            new("threads", "2", "wrk threads"),
            new("payload", "256", "append body size"),
            new("fanout-subscribers", "1000", "subscribers of the fan-out workloads (SSE, and for Ursula also the SignalR hub)"),
            new("fanout-rate", "50", "appends/s published in the fan-out workloads"),
            new("fanout-duration", "10s", "publishing time of the fan-out workloads"),
            new("catchup-readers", "8", "readers of the catch-up workload"),
            new("catchup-size", "64MB", "size of the stream the catch-up readers read"),
            new("cold-object-bytes", "64MB", "cold catch-up: the node's --archive-object-bytes (target size of one archive object)"),
            new("memory-streams", "10000", "streams created on a fresh node before the memory fan-out"),
            new("memory-systems", "ursula-single,ref-memory", "systems that get a memory session (fresh node, many streams, then SSE subscribers)"),
            new("cpu-limit", "0.25", "flag a result whose client side (load generator + harness) used more than this share of the machine"),
            new("port-base", "14437", "first port; systems use +0 (single), +1..+3 (cluster), +10 and +11 (reference), +20 (s3rver of the cold catch-up)"),
            new("out", "", "where results go (default: REPO/bench/results)"),
            OptionSpec.Flag("skip-build", "do not build Ursula.Server or run npm ci (use what is there)"),
            OptionSpec.Flag("no-publish", "keep results in OUT/raw/<run>/ only, do not replace OUT's results"),
            OptionSpec.Flag("keep-data", "keep the temporary data directories"),
        ]);

    public static IReadOnlyList<VerbSpec> All { get; } = [Append, Fanout, Catchup, Soak, Report, Compare];

    public static VerbSpec? Find(string name) =>
        All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
}
