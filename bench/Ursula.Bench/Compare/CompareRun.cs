using System.Diagnostics;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Compare.Workloads;
using Ursula.Bench.Compare.Wrk;

namespace Ursula.Bench.Compare;

/// <summary>
/// The sessions of one comparison run, in <see cref="AlternationSchedule"/> order. A session
/// starts its system in a fresh data dir, runs the warm-up and the workloads, and stops the system
/// (with its PostgreSQL) before the next session starts, so no two systems ever run at once. A
/// session that fails is recorded and the run goes on with the next one.
/// </summary>
public sealed class CompareRun(CompareSettings settings, SystemEnvironment environment, RunLog log, string jsonlPath, string wrkVersion)
{
    public ResultSink Sink { get; } = new(jsonlPath, TextWriter.Null);

    public IReadOnlyList<Session> Sessions { get; } =
        AlternationSchedule.Build(settings.Systems, settings.Rounds, settings.Runs("memory") ? settings.MemorySystems : []);

    /// <summary>Per system, facts from its logs (cluster elections and the like).</summary>
    public Dictionary<string, List<string>> Events { get; } = [];

    public async Task RunAllAsync(CancellationToken ct)
    {
        log.Line($"{Sessions.Count} sessions: {string.Join(" | ", Sessions.Select(s => s.Name))}");
        for (var i = 0; i < Sessions.Count; i++)
        {
            await RunSessionAsync(Sessions[i], i + 1, ct);
        }
    }

    private async Task RunSessionAsync(Session session, int number, CancellationToken ct)
    {
        var tag = session.Kind == SessionKind.Memory ? "memory" : $"r{session.Round}";
        var directory = Path.Combine(environment.WorkDirectory, $"{session.System}-{tag}");
        Directory.CreateDirectory(directory);
        CompareCommand.OpenToPostgresAccount(directory);
        var sessionEnvironment = environment with { WorkDirectory = directory };
        log.Line($"session {number}/{Sessions.Count}: {session.Name}: starting (nothing else of this run is running)");
        var clock = Stopwatch.GetTimestamp();
        var system = SystemCatalog.Create(session.System, sessionEnvironment, tag);
        try
        {
            try
            {
                await system.StartAsync(ct);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
            {
                Sink.Fail($"{session.Name}: did not start: {FirstLine(e.Message)}");
                log.Line($"  FAILED to start: {e.Message}");
                return;
            }

            log.Line($"  up after {Stopwatch.GetElapsedTime(clock).TotalSeconds:0.0}s, load at {system.LoadUrl}; "
                + $"processes watched: {string.Join(", ", system.WatchTargets.Select(t => $"{t.Name}={t.Pid}"))}");
            var logPath = Path.Combine(environment.LogDirectory, $"bench-{session.System}-{tag}.log");
            var context = new SessionContext(session, system, settings, log, Sink,
                new WrkRunner(directory, logPath), new BenchVerbRunner(directory, logPath), wrkVersion);
            var workloads = session.Kind == SessionKind.Memory ? WorkloadCatalog.Memory : WorkloadCatalog.Rounds;
            if (session.Kind == SessionKind.Rounds)
            {
                await WarmUp.RunAsync(context, ct);
            }

            foreach (var workload in workloads.Where(w => settings.Runs(w.Name) && w.AppliesTo(system)))
            {
                try
                {
                    await workload.RunAsync(context, ct);
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException
                    || (e is TaskCanceledException && !ct.IsCancellationRequested))
                {
                    Sink.Fail($"{session.Name}, {workload.Name}: {FirstLine(e.Message)}");
                    log.Line($"  {workload.Name}: FAILED: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally
        {
            var stopping = Stopwatch.GetTimestamp();
            await system.DisposeAsync();
            foreach (var line in system.Events())
            {
                (Events.TryGetValue(session.System, out var list) ? list : Events[session.System] = []).Add($"{session.Name}: {line}");
            }

            log.Line($"  stopped in {Stopwatch.GetElapsedTime(stopping).TotalSeconds:0.0}s; session took {Stopwatch.GetElapsedTime(clock).TotalSeconds:0}s");
            if (!settings.KeepData)
            {
                CompareCommand.TryDelete(directory);
            }
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
