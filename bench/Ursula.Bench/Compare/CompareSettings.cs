using Ursula.Bench.Cli;
using Ursula.Bench.Compare.Systems;

namespace Ursula.Bench.Compare;

/// <summary>The knobs of a comparison run, from the 'compare' verb's options (see <see cref="VerbCatalog.Compare"/>).</summary>
public sealed record CompareSettings(
    string Repo,
    string ResultsDirectory,
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> Workloads,
    int Rounds,
    TimeSpan Warmup,
    TimeSpan AppendWarmup,
    TimeSpan AppendDuration,
    int Streams,
    int Connections,
    int Threads,
    int Payload,
    int FanoutSubscribers,
    double FanoutRate,
    TimeSpan FanoutDuration,
    int CatchupReaders,
    long CatchupSize,
    long ColdObjectBytes,
    int MemoryStreams,
    IReadOnlyList<string> MemorySystems,
    double CpuLimit,
    int PortBase,
    bool SkipBuild,
    bool Publish,
    bool KeepData)
{
    public const string AllWorkloads = "all";

    public static CompareSettings From(ParsedArgs args)
    {
        var repo = args.String("repo") is { Length: > 0 } given ? Path.GetFullPath(given) : FindRepo(Environment.CurrentDirectory);
        if (!File.Exists(Path.Combine(repo, "Ursula.sln")))
        {
            throw new UsageException($"'{repo}' is not the repository root (no Ursula.sln); pass --repo");
        }

        var systems = List(args.String("systems"));
        foreach (var system in systems.Where(s => !SystemCatalog.All.Contains(s)))
        {
            throw new UsageException($"unknown system '{system}' (known: {string.Join(", ", SystemCatalog.All)})");
        }

        var settings = new CompareSettings(
            repo,
            args.String("out") is { Length: > 0 } outDir ? Path.GetFullPath(outDir) : Path.Combine(repo, "bench", "results"),
            systems,
            Compare.Workloads.WorkloadCatalog.Select(List(args.String("workloads"))),
            args.Int("rounds"),
            args.Duration("warmup"),
            args.Duration("append-warmup"),
            args.Duration("append-duration"),
            args.Int("streams"),
            args.Int("connections"),
            args.Int("threads"),
            checked((int)args.Size("payload")),
            args.Int("fanout-subscribers"),
            args.Double("fanout-rate"),
            args.Duration("fanout-duration"),
            args.Int("catchup-readers"),
            args.Size("catchup-size"),
            args.Size("cold-object-bytes"),
            args.Int("memory-streams"),
            List(args.String("memory-systems")),
            args.Double("cpu-limit"),
            args.Int("port-base"),
            args.Flag("skip-build"),
            !args.Flag("no-publish"),
            args.Flag("keep-data"));
        if (settings.Rounds < 0 || settings.Streams < 1 || settings.Connections < 1 || settings.Threads < 1 || settings.Payload < 1)
        {
            throw new UsageException("rounds must be >= 0; streams, connections, threads and payload positive");
        }

        return settings;
    }

    public bool Runs(string workload) =>
        Workloads.Contains(AllWorkloads) || Workloads.Contains(workload, StringComparer.OrdinalIgnoreCase);

    private static List<string> List(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string FindRepo(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ursula.sln")))
            {
                return dir.FullName;
            }
        }

        return start;
    }
}
