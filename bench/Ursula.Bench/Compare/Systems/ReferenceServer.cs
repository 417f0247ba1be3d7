using Ursula.Bench.Metrics;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// ref-memory / ref-file: the Node reference server (@durable-streams/server, pinned in
/// bench/reference) through serve.mjs, in memory or file-backed in a fresh data dir. serve.mjs
/// prints "ready &lt;url&gt;" once it listens.
/// </summary>
public sealed class ReferenceServer(string label, SystemEnvironment environment, string sessionTag, int port, bool fileBacked)
    : SystemUnderTest(label, environment)
{
    private ChildProcess? _process;

    public override Uri LoadUrl => new($"http://127.0.0.1:{port}");

    public override IReadOnlyList<WatchTarget> WatchTargets => _process is null ? [] : [new WatchTarget("server", _process.Pid, Tree: false)];

    public override bool IsUrsula => false;

    public override async Task StartAsync(CancellationToken ct)
    {
        List<string> args = [Environment.ReferenceScript, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (fileBacked)
        {
            args.AddRange(["--data-dir", Path.Combine(Environment.WorkDirectory, $"{Label}-{sessionTag}")]);
        }

        _process = ChildProcess.Start(Label, "node", args, Path.Combine(Environment.LogDirectory, $"{Label}-{sessionTag}.log"));
        await Readiness.WaitForOutputAsync(_process, "ready ", Environment.StartTimeout, ct);
    }

    public override async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    public override string? CheckAlive() =>
        _process is { HasExited: true } ? $"{Label} (pid {_process.Pid}) exited with {_process.ExitCode}" : null;
}
