using Ursula.Bench.Metrics;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// A server (or cluster) the comparison measures. A fresh instance is started for every session
/// and stopped after it, with nothing else of the harness running meanwhile: see
/// <see cref="AlternationSchedule"/>. A new system is a subclass plus an entry in
/// <see cref="SystemCatalog"/>.
/// </summary>
public abstract class SystemUnderTest(string label, SystemEnvironment environment) : IAsyncDisposable
{
    public string Label { get; } = label;

    protected SystemEnvironment Environment { get; } = environment;

    /// <summary>Where the load goes (the Raft leader for a cluster); valid after <see cref="StartAsync"/>.</summary>
    public abstract Uri LoadUrl { get; }

    /// <summary>What the harness samples the memory of while a workload runs (server processes, PostgreSQL trees).</summary>
    public abstract IReadOnlyList<WatchTarget> WatchTargets { get; }

    /// <summary>True for Ursula: workloads that exist only there (e.g. the SignalR hub) check it.</summary>
    public abstract bool IsUrsula { get; }

    public abstract Task StartAsync(CancellationToken ct);

    /// <summary>Stops every process of the system; safe to call more than once.</summary>
    public abstract Task StopAsync();

    /// <summary>Null while every process of the system runs, else which one has exited.</summary>
    public abstract string? CheckAlive();

    /// <summary>
    /// Before each workload: a cluster looks up its leader again (leadership may move under load)
    /// and returns a note when it moved; single servers have nothing to do.
    /// </summary>
    public virtual Task<string?> RefreshAsync(CancellationToken ct) => Task.FromResult<string?>(null);

    /// <summary>Facts from the system's own logs for machine.json (e.g. elections), collected after it stopped.</summary>
    public virtual IReadOnlyList<string> Events() => [];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>What every system needs from the harness: binaries, ports, where data and logs go.</summary>
public sealed record SystemEnvironment(
    string UrsulaServer,
    string ReferenceScript,
    string WorkDirectory,
    string LogDirectory,
    int PortBase,
    TimeSpan StartTimeout);
