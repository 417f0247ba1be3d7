using Ursula.Bench.Metrics;

namespace Ursula.Bench.Compare.Systems;

/// <summary>ursula-single: one node, its managed PostgreSQL in a fresh data dir.</summary>
public sealed class UrsulaSingle(string label, SystemEnvironment environment, string sessionTag) : SystemUnderTest(label, environment)
{
    private UrsulaNode? _node;

    public override Uri LoadUrl => (_node ?? throw new InvalidOperationException("not started")).Url;

    public override IReadOnlyList<WatchTarget> WatchTargets => _node is null ? [] : [.. _node.WatchTargets("server", "pg")];

    public override bool IsUrsula => true;

    public override async Task StartAsync(CancellationToken ct)
    {
        var dir = Path.Combine(Environment.WorkDirectory, $"{Label}-{sessionTag}");
        _node = UrsulaNode.Start(Environment, Label, Environment.PortBase, dir, [], Path.Combine(Environment.LogDirectory, $"{Label}-{sessionTag}.log"));
        await _node.WaitHealthyAsync(Environment.StartTimeout, ct);
    }

    public override async Task StopAsync()
    {
        if (_node is not null)
        {
            await _node.StopAsync();
        }
    }

    public override string? CheckAlive() =>
        _node is { Process.HasExited: true } ? $"{_node.Name} (pid {_node.Process.Pid}) exited with {_node.Process.ExitCode}" : null;
}
