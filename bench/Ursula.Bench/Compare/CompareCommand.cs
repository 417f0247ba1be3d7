using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ursula.Bench.Cli;
using Ursula.Bench.Compare.Machine;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Compare.Wrk;

namespace Ursula.Bench.Compare;

/// <summary>
/// The 'compare' verb, the fair comparison run behind bench/run.sh: installs what is missing, builds,
/// then runs the <see cref="AlternationSchedule"/>: each session starts one system alone, warms it
/// up, runs every workload against it and stops it. Writes RUN_DIR (results.jsonl, machine.json,
/// the report, logs) under OUT/raw/ and publishes the report into OUT. Everything it starts is
/// stopped on exit, failure, Ctrl+C and SIGTERM.
/// </summary>
public sealed class CompareCommand(ParsedArgs args)
{
    public async Task<int> RunAsync(CancellationToken outer)
    {
        var settings = CompareSettings.From(args);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(outer);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onHangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        var ct = cancel.Token;

        var runDirectory = Path.Combine(settings.ResultsDirectory, "raw", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(runDirectory);
        using var log = new RunLog(Path.Combine(runDirectory, "run.log"));
        var started = Stopwatch.GetTimestamp();
        var loadAtStart = MachineFacts.LoadAverage();
        log.Line($"compare: {string.Join(", ", settings.Systems)}; {settings.Rounds} round(s); logs and raw results in {runDirectory}");
        if (double.TryParse(loadAtStart.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var load1) && load1 > Environment.ProcessorCount / 2.0)
        {
            log.Line($"warning: load average is {loadAtStart} on {Environment.ProcessorCount} cores before the run; the figures will be noisy");
        }

        var workRoot = "";
        try
        {
            await Prerequisites.EnsureAsync(settings, log, runDirectory, ct);
            EnsureOpenFiles(settings);
            EnsurePortsFree(settings);
            workRoot = Directory.CreateTempSubdirectory("ursula-bench.").FullName;
            // The managed PostgreSQL runs as the postgres account (as root), which must reach the data dirs.
            CompareCommand.OpenToPostgresAccount(workRoot);
            var wrkVersion = await WrkRunner.VersionAsync(ct) ?? "wrk";
            var machine = await MachineFacts.HardwareAndVersionsAsync(settings, wrkVersion, ct);
            var environment = new SystemEnvironment(
                Path.Combine(settings.Repo, "Ursula.Server", "bin", "Release", "net10.0", "Ursula.Server"),
                Path.Combine(settings.Repo, "bench", "reference", "serve.mjs"),
                workRoot,
                runDirectory,
                settings.PortBase,
                TimeSpan.FromMinutes(3));
            if (!File.Exists(environment.UrsulaServer))
            {
                throw new InvalidOperationException($"no Release build at {environment.UrsulaServer} (drop --skip-build)");
            }

            log.Line($"setup took {Stopwatch.GetElapsedTime(started).TotalSeconds:0}s; load generator for throughput: {wrkVersion}");
            var run = new CompareRun(settings, environment, log, Path.Combine(runDirectory, "results.jsonl"), wrkVersion);
            var measuring = Stopwatch.GetTimestamp();
            await run.RunAllAsync(ct);
            var minutes = Stopwatch.GetElapsedTime(measuring).TotalMinutes;
            var loadAtEnd = MachineFacts.LoadAverage();
            RunReport.Write(settings, run, machine, loadAtStart, loadAtEnd, minutes, runDirectory, log);
            log.Line($"total {Stopwatch.GetElapsedTime(started).TotalMinutes:0.0} min");
            return run.Sink.Failures.Count == 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            log.Line("interrupted: every process the run started has been stopped");
            return 130;
        }
        finally
        {
            if (workRoot.Length > 0 && Directory.Exists(workRoot))
            {
                if (settings.KeepData)
                {
                    log.Line($"data kept in {workRoot}");
                }
                else
                {
                    TryDelete(workRoot);
                }
            }
        }
    }

    /// <summary>rwxr-xr-x, so that the postgres account can reach a data dir created here by root.</summary>
    public static void OpenToPostgresAccount(string directory)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A PostgreSQL file still being removed; the temp dir is left for the OS to clean.
        }
    }

    /// <summary>1000 SSE subscribers need 1000+ descriptors in the generator and the server; both inherit this limit.</summary>
    private static void EnsureOpenFiles(CompareSettings settings)
    {
        var wanted = settings.FanoutSubscribers + 4096L;
        var limit = Posix.RaiseOpenFilesLimit(Math.Max(65536, wanted));
        if (limit >= 0 && limit < wanted)
        {
            throw new InvalidOperationException($"open-files limit is {limit}; the fan-out needs {wanted} (run as root)");
        }
    }

    private static void EnsurePortsFree(CompareSettings settings)
    {
        foreach (var port in settings.Systems.SelectMany(SystemCatalog.PortOffsets).Select(o => settings.PortBase + o))
        {
            using var probe = new TcpClient();
            try
            {
                probe.Connect("127.0.0.1", port);
            }
            catch (SocketException)
            {
                continue;
            }

            throw new InvalidOperationException($"port {port} is in use; pass --port-base with a free range");
        }
    }
}
