using System.Diagnostics;
using System.Globalization;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Http;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>Where the cold catch-up's archive lives.</summary>
public enum ColdStore
{
    Filesystem,
    S3,
}

/// <summary>
/// cold-catchup-fs / cold-catchup-s3 (Ursula single node only; the reference server has no
/// archive): the hot catch-up's readers on the same kind of stream, but one that lives only in
/// the archive. The session's node is replaced by one that archives at once (--hot-window-bytes 0,
/// a short --archive-interval and --archive-max-delay), with its archive in a directory or on
/// s3rver; the stream is filled, the harness waits until the node's health shows no hot bytes
/// left, then restarts the node so that nothing of the stream is in its memory, reads a small
/// warm-up stream unmeasured with the same readers (the fresh process's JIT), and measures them. The result has
/// the hot catch-up's workload key and the label SYSTEM-cold-fs or SYSTEM-cold-s3, so the report
/// shows it next to the hot figure, with the ratio. The OS page cache is not dropped: the figure is
/// the archive read path (object reads, Parquet decoding), not the disk.
/// </summary>
public sealed class ColdCatchup(ColdStore store) : IWorkload
{
    public const string Bucket = "ursula-bench";

    /// <summary>Archiver settings that move data out of PostgreSQL within a second or two.</summary>
    public static readonly IReadOnlyList<string> FastArchiving =
        ["--hot-window-bytes", "0", "--archive-interval", "0.5", "--archive-max-delay", "0.5"];

    /// <summary>
    /// The warm-up stream: read by as many readers as the measured run, it takes the fresh
    /// process's archive read path past tier-0 code (a 4 MB one left the first measured pass about
    /// half as fast as a second one).
    /// </summary>
    private const long WarmSize = 16L << 20;
    private static readonly TimeSpan ArchiveTimeout = TimeSpan.FromMinutes(5);

    public string Name => store == ColdStore.Filesystem ? "cold-catchup-fs" : "cold-catchup-s3";

    public static string Suffix(ColdStore store) => store == ColdStore.Filesystem ? "cold-fs" : "cold-s3";

    /// <summary>The label of this workload's result: the system's, plus where its data was.</summary>
    public static string Label(string system, ColdStore store) => $"{system}-{Suffix(store)}";

    public bool AppliesTo(SystemUnderTest system) => system is UrsulaSingle;

    public async Task RunAsync(SessionContext context, CancellationToken ct)
    {
        var node = (UrsulaSingle)context.System;
        var s = context.Settings;
        var suffix = Suffix(store);
        var clock = Stopwatch.GetTimestamp();
        await node.ReconfigureAsync(await SetupAsync(node, s, suffix, ct), ct);
        context.Log.Line($"  {Name}: node restarted with {string.Join(' ', SetupArguments(node, s, suffix))} ({Stopwatch.GetElapsedTime(clock).TotalSeconds:0.0}s)");

        var runId = BenchHttp.NewRunId();
        var baseUrl = BenchHttp.Join(node.LoadUrl.ToString(), "bench", runId);
        var warm = BenchHttp.Join(baseUrl, "warm");
        var measured = BenchHttp.Join(baseUrl, "cold");
        clock = Stopwatch.GetTimestamp();
        await FillAsync(context, warm, WarmSize, ct);
        await FillAsync(context, measured, s.CatchupSize, ct);
        context.Log.Line($"  {Name}: filled {Cli.Units.FormatSize(s.CatchupSize)} (+ {Cli.Units.FormatSize(WarmSize)} warm-up stream) in {Stopwatch.GetElapsedTime(clock).TotalSeconds:0.0}s");

        clock = Stopwatch.GetTimestamp();
        var archived = await WaitArchivedAsync(node, ct);
        context.Log.Line($"  {Name}: everything archived {Stopwatch.GetElapsedTime(clock).TotalSeconds:0.0}s after the fill "
            + $"({archived.ObjectsWritten} object(s), {archived.RangesArchived} range(s), 0 hot bytes)");

        clock = Stopwatch.GetTimestamp();
        await node.RestartAsync(ct);
        var after = await ProgressAsync(node, ct);
        if (after is not { HotBytes: 0 })
        {
            throw new InvalidOperationException($"after the restart the node reports {after?.HotBytes.ToString(CultureInfo.InvariantCulture) ?? "no"} hot bytes");
        }

        var warmRun = await context.Verbs.RunAsync("catchup", ReadArguments(warm, s.CatchupReaders, WarmSize, "warm-up"), ct);
        if (warmRun.ExitCode != 0)
        {
            throw new InvalidOperationException($"the warm-up read failed (exit {warmRun.ExitCode})");
        }

        context.Log.Line($"  {Name}: restarted (memory empty) and read the warm-up stream in {Stopwatch.GetElapsedTime(clock).TotalSeconds:0.0}s (not measured)");
        var label = Label(context.System.Label, store);
        await VerbStep.RunAsync(context, Name, "catchup", HotCatchup.Workload(s),
            [
                "--readers", s.CatchupReaders.ToString(CultureInfo.InvariantCulture),
                "--size", s.CatchupSize.ToString(CultureInfo.InvariantCulture),
                "--stream", measured,
                "--no-fill",
            ],
            m => $"{HotCatchup.Summary(m)}, from the {(store == ColdStore.Filesystem ? "filesystem" : "S3")} archive",
            ct, label);
    }

    /// <summary>The serve options of the archiving node (the archive's place, then <see cref="FastArchiving"/> and the object size).</summary>
    public static IReadOnlyList<string> Arguments(ColdStore store, string archiveDirectory, Uri? s3Endpoint, long objectBytes)
    {
        List<string> args = store == ColdStore.Filesystem
            ? ["--archive-dir", archiveDirectory]
            : ["--s3-bucket", Bucket, "--s3-endpoint", s3Endpoint?.ToString().TrimEnd('/') ?? throw new ArgumentNullException(nameof(s3Endpoint)),
                "--s3-region", S3rverProcess.Region, "--s3-prefix", "cold"];
        args.AddRange(FastArchiving);
        args.AddRange(["--archive-object-bytes", objectBytes.ToString(CultureInfo.InvariantCulture)]);
        return args;
    }

    private IReadOnlyList<string> SetupArguments(UrsulaSingle node, CompareSettings s, string suffix) =>
        Arguments(store, Path.Combine(node.SessionDirectory, $"archive-{suffix}-{node.SessionTag}"), S3Endpoint(node), s.ColdObjectBytes);

    private static Uri S3Endpoint(UrsulaSingle node) =>
        new($"http://127.0.0.1:{(node.PortBase + SystemCatalog.S3rverPortOffset).ToString(CultureInfo.InvariantCulture)}");

    private async Task<NodeSetup> SetupAsync(UrsulaSingle node, CompareSettings s, string suffix, CancellationToken ct)
    {
        if (store == ColdStore.Filesystem)
        {
            return new NodeSetup(suffix, SetupArguments(node, s, suffix), new Dictionary<string, string>(), null);
        }

        // The node stops before s3rver starts, so still only the system under test runs.
        await node.StopAsync();
        var s3rver = await S3rverProcess.StartAsync(s.Repo, S3Endpoint(node).Port,
            Path.Combine(node.SessionDirectory, $"s3rver-{node.SessionTag}"), Bucket,
            Path.Combine(node.LogDirectory, $"s3rver-{node.SessionTag}.log"), TimeSpan.FromSeconds(60), ct);
        var variables = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
        };
        return new NodeSetup(suffix, SetupArguments(node, s, suffix), variables, s3rver);
    }

    private static async Task FillAsync(SessionContext context, string stream, long size, CancellationToken ct)
    {
        var run = await context.Verbs.RunAsync("catchup",
            [
                "--url", stream, "--stream", stream, "--fill-only",
                "--size", size.ToString(CultureInfo.InvariantCulture),
                "--label", context.System.Label,
            ], ct);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"filling {stream} failed (exit {run.ExitCode}): {run.Output.Split('\n').LastOrDefault(l => l.Length > 0)}");
        }
    }

    private static string[] ReadArguments(string stream, int readers, long size, string label) =>
    [
        "--url", stream, "--stream", stream, "--no-fill",
        "--readers", readers.ToString(CultureInfo.InvariantCulture),
        "--size", size.ToString(CultureInfo.InvariantCulture),
        "--label", label,
    ];

    private static async Task<ArchiveProgress> WaitArchivedAsync(UrsulaSingle node, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ArchiveTimeout;
        ArchiveProgress? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await ProgressAsync(node, ct);
            if (last is { NothingHot: true, RangesArchived: > 0 })
            {
                return last;
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"the archive did not take everything within {ArchiveTimeout.TotalMinutes:0} min: "
            + (last is null ? "health shows no archive section" : $"{last.HotBytes} hot bytes left, failing: {last.Failing ?? "no"}"));
    }

    private static async Task<ArchiveProgress?> ProgressAsync(UrsulaSingle node, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        // 503 (unhealthy) still carries the report, so the status is not checked.
        using var response = await client.GetAsync(new Uri(node.LoadUrl, "/_ursula/health"), ct);
        return ArchiveProgress.Parse(await response.Content.ReadAsStringAsync(ct));
    }
}
