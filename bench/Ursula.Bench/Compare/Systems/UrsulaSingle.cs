using Ursula.Bench.Metrics;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// ursula-single: one node, its managed PostgreSQL in a fresh data dir. The cold catch-up
/// workloads replace the node in the middle of the session (<see cref="ReconfigureAsync"/>: the
/// old node stops before the new one starts, so still only one runs) and restart it with its data
/// (<see cref="RestartAsync"/>) to empty its memory.
/// </summary>
public sealed class UrsulaSingle(string label, SystemEnvironment environment, string sessionTag) : SystemUnderTest(label, environment)
{
    private UrsulaNode? _node;
    private NodeSetup _setup = new("", [], new Dictionary<string, string>(), null);

    public override Uri LoadUrl => (_node ?? throw new InvalidOperationException("not started")).Url;

    public override IReadOnlyList<WatchTarget> WatchTargets =>
        _node is null ? [] : [.. _node.WatchTargets("server", "pg"), .. _setup.Companion is { } c ? [new WatchTarget(c.Name, c.Pid, Tree: false)] : Array.Empty<WatchTarget>()];

    public override bool IsUrsula => true;

    /// <summary>The running node's data dir (its PostgreSQL and, by default, its filesystem archive are below it).</summary>
    public string DataDirectory => (_node ?? throw new InvalidOperationException("not started")).DataDirectory;

    /// <summary>This session's work dir (data dirs go below it) and log dir.</summary>
    public string SessionDirectory => Environment.WorkDirectory;

    public string LogDirectory => Environment.LogDirectory;

    public string SessionTag => sessionTag;

    public int PortBase => Environment.PortBase;

    public TimeSpan StartTimeout => Environment.StartTimeout;

    public override Task StartAsync(CancellationToken ct) => StartNodeAsync(ct);

    /// <summary>
    /// Stops the node (and the companion of its setup) and starts a new one in a fresh data dir
    /// named after <see cref="NodeSetup.Name"/>, with the setup's extra options and environment; the
    /// setup's companion (e.g. s3rver) belongs to the system from now on and stops with it.
    /// </summary>
    public async Task ReconfigureAsync(NodeSetup setup, CancellationToken ct)
    {
        await StopAsync();
        _setup = setup;
        await StartNodeAsync(ct);
    }

    /// <summary>Stops the node and starts it again on the same data dir and options: nothing it held in memory survives.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        if (_node is null)
        {
            throw new InvalidOperationException("not started");
        }

        var old = _node;
        _node = null;
        await old.StopAsync();
        _node = UrsulaNode.Start(Environment, Label, Environment.PortBase, old.DataDirectory, _setup.Arguments, old.LogPath, _setup.Variables);
        await _node.WaitHealthyAsync(Environment.StartTimeout, ct);
    }

    public override async Task StopAsync()
    {
        if (_node is { } node)
        {
            _node = null;
            await node.StopAsync();
        }

        if (_setup.Companion is { } companion)
        {
            _setup = _setup with { Companion = null };
            await companion.DisposeAsync();
        }
    }

    public override string? CheckAlive() =>
        _node is { Process.HasExited: true } ? $"{_node.Name} (pid {_node.Process.Pid}) exited with {_node.Process.ExitCode}"
        : _setup.Companion is { HasExited: true } c ? $"{c.Name} (pid {c.Pid}) exited with {c.ExitCode}"
        : null;

    private async Task StartNodeAsync(CancellationToken ct)
    {
        var name = _setup.Name.Length == 0 ? Label : $"{Label}-{_setup.Name}";
        var dir = Path.Combine(Environment.WorkDirectory, $"{name}-{sessionTag}");
        _node = UrsulaNode.Start(Environment, Label, Environment.PortBase, dir, _setup.Arguments,
            Path.Combine(Environment.LogDirectory, $"{name}-{sessionTag}.log"), _setup.Variables);
        await _node.WaitHealthyAsync(Environment.StartTimeout, ct);
    }
}

/// <summary>
/// How a node is started: <paramref name="Name"/> names its data dir and log ("" = the session's
/// own), extra serve options, extra environment variables, and a process it depends on that runs
/// and stops with it (null: none).
/// </summary>
public sealed record NodeSetup(string Name, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Variables, ChildProcess? Companion);
