using System.Globalization;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// ursula-cluster3: three nodes on this machine (--cluster), own data dir and managed PostgreSQL
/// each. The load goes to the Raft leader (found through GET /_ursula/cluster), so the figures are
/// the cost of replication without a follower's forwarding hop.
/// </summary>
public sealed class UrsulaCluster(string label, SystemEnvironment environment, string sessionTag, int size = 3) : SystemUnderTest(label, environment)
{
    private readonly List<UrsulaNode> _nodes = [];
    private Uri? _leader;

    public override Uri LoadUrl => _leader ?? throw new InvalidOperationException("no leader known");

    public override IReadOnlyList<WatchTarget> WatchTargets =>
        [.. _nodes.SelectMany((n, i) => n.WatchTargets($"n{i + 1}", $"pg{i + 1}"))];

    public override bool IsUrsula => true;

    public int LeaderChanges { get; private set; }

    public override async Task StartAsync(CancellationToken ct)
    {
        var ports = Enumerable.Range(Environment.PortBase + 1, size).ToList();
        var members = string.Join(',', ports.Select(p => $"http://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}"));

        // Several members need a shared secret for their cluster endpoints; a fresh one per session.
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        for (var i = 0; i < size; i++)
        {
            var name = $"{Label}-node{i + 1}";
            var dir = Path.Combine(Environment.WorkDirectory, $"{name}-{sessionTag}");
            _nodes.Add(UrsulaNode.Start(Environment, name, ports[i], dir, ["--cluster", members, "--cluster-secret", secret, "--archive-dir", Path.Combine(Environment.WorkDirectory, $"{Label}-archive-{sessionTag}")], Path.Combine(Environment.LogDirectory, $"{name}-{sessionTag}.log")));
        }

        await Task.WhenAll(_nodes.Select(n => n.WaitHealthyAsync(Environment.StartTimeout, ct)));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((_leader = await FindLeaderAsync(ct)) is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Label}: no agreed leader within 60s");
            }

            await Task.Delay(250, ct);
        }
    }

    public override async Task<string?> RefreshAsync(CancellationToken ct)
    {
        var leader = await FindLeaderAsync(ct);
        if (leader is null || leader == _leader)
        {
            return leader is null ? "no agreed leader right now; the load stays at the last one" : null;
        }

        var note = $"leader moved from {_leader} to {leader}";
        _leader = leader;
        LeaderChanges++;
        return note;
    }

    public override async Task StopAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.StopAsync()));
    }

    public override string? CheckAlive() =>
        _nodes.FirstOrDefault(n => n.Process.HasExited) is { } dead ? $"{dead.Name} (pid {dead.Process.Pid}) exited with {dead.Process.ExitCode}" : null;

    public override IReadOnlyList<string> Events()
    {
        var lines = _nodes.SelectMany(n => LogLines(n)).ToList();
        var elections = lines.Count(l => l.Contains("Transition to Leader state has completed", StringComparison.Ordinal));
        var snapshots = lines.Count(l => l.Contains("Installed a snapshot from the leader", StringComparison.Ordinal));
        var lost = lines.Count(l => l.Contains("failed: NotLeaderException", StringComparison.Ordinal));
        return [$"{elections} leader election(s), {snapshots} snapshot install(s) on followers, {lost} batch(es) failed with NotLeaderException, {LeaderChanges} leader move(s) seen between workloads"];
    }

    private static IEnumerable<string> LogLines(UrsulaNode node) =>
        File.Exists(node.LogPath) ? File.ReadLines(node.LogPath) : [];

    private async Task<Uri?> FindLeaderAsync(CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var statuses = new List<ClusterStatus>();
        foreach (var node in _nodes)
        {
            try
            {
                statuses.Add(ClusterStatus.Parse(await client.GetStringAsync(new Uri(node.Url, "/_ursula/cluster"), ct)));
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // A node that does not answer right now has no say.
            }
        }

        return ClusterStatus.AgreedLeader(statuses) is { } leader ? new Uri(leader) : null;
    }
}
