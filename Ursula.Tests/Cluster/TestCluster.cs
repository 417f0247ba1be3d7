// A static three-node Ursula cluster of real child processes, each node on its own PostgreSQL server
// (a fresh database per cluster) and its own data directory under one temp directory. Tests kill,
// freeze and restart nodes through it, find the leader from /_ursula/cluster, and wait for the nodes
// to converge. Disposing kills every node, frozen or not, and deletes the data directories.
using System.Diagnostics;
using System.Text;
using Ursula.Tests.Infrastructure;
using Ursula.Tests.Infrastructure.Network;

namespace Ursula.Tests.Cluster;

public sealed class TestCluster : IAsyncDisposable
{
    public const int Size = ClusterPostgres.Count;

    /// <summary>The cluster secret of every test cluster of this run (a node of a cluster must be given one).</summary>
    public static readonly string Secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The shared secret; short long-polls for the conformance suite; 64 KiB WAL chunks so
    /// truncation happens quickly.
    /// </summary>
    public static readonly string[] NodeArguments = ["--cluster-secret", Secret, "--long-poll-timeout", "2", "--wal-chunk-bytes", "65536"];

    /// <summary>The message of event 1301.</summary>
    public const string SnapshotInstalledMessage = "Installed a snapshot from the leader";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly NodeProcess[] nodes;
    private readonly bool[] killed = new bool[Size];
    private readonly bool[] frozen = new bool[Size];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private bool disposed;

    private TestCluster(ClusterPostgres postgres, string rootDirectory, NodeProcess[] nodes, string[] databases, FaultyNetwork? network)
    {
        Network = network;
        Databases = databases;
        Postgres = postgres;
        RootDirectory = rootDirectory;
        this.nodes = nodes;
    }

    public ClusterPostgres Postgres { get; }

    /// <summary>The proxies between the nodes, when the cluster was started with them.</summary>
    public FaultyNetwork? Network { get; }

    /// <summary>Each node's PostgreSQL connection string, by node index.</summary>
    public IReadOnlyList<string> Databases { get; }

    /// <summary>How long the nodes took to become healthy and to elect a leader.</summary>
    public string StartupReport { get; private set; } = string.Empty;

    /// <summary>The temp directory holding every node's data directory (node0, node1, node2).</summary>
    public string RootDirectory { get; }

    public IReadOnlyList<NodeProcess> Nodes => nodes;

    public IReadOnlyList<Uri> Urls => nodes.Select(n => n.BaseUrl).ToArray();

    /// <summary>Nodes neither killed nor frozen by the test.</summary>
    public IReadOnlyList<int> LiveNodes => Enumerable.Range(0, Size).Where(i => !killed[i] && !frozen[i]).ToArray();

    public NodeProcess this[int index] => nodes[index];

    /// <summary>
    /// Starts three nodes on free ports, each on a fresh database of its own server, with
    /// <see cref="NodeArguments"/> and <paramref name="extraArguments"/>, and waits for a leader.
    /// </summary>
    /// <param name="faultyNetwork">Route node-to-node traffic through a <see cref="FaultyNetwork"/> the test controls.</param>
    public static async Task<TestCluster> StartAsync(ClusterPostgres postgres, string name, IReadOnlyList<string> extraArguments, CancellationToken cancellationToken, Func<int, IReadOnlyDictionary<string, string>>? environment = null, bool faultyNetwork = false)
    {
        var databases = await postgres.CreateDatabasesAsync(name, cancellationToken);
        var free = new HashSet<int>();
        while (free.Count < Size)
        {
            free.Add(FreePort.Next());
        }

        var ports = free.ToArray();
        var network = faultyNetwork ? new FaultyNetwork(Size) : null;
        var advertised = Enumerable.Range(0, Size).Select(i => $"http://127.0.0.1:{network?.ProxyPort(i) ?? ports[i]}").ToArray();

        var root = Path.Combine(Path.GetTempPath(), $"ursula-cluster-{name.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        var members = string.Join(',', advertised);
        var started = new List<NodeProcess>();
        try
        {
            foreach (var (port, i) in ports.Select((p, i) => (p, i)))
            {
                string[] routing = network is null ? [] : ["--advertise", advertised[i], "--source-address", FaultyNetwork.SourceAddress(i).ToString()];
                network?.Start(i, port);
                started.Add(NodeProcess.Start(port, Path.Combine(root, $"node{i}"), databases[i], [.. NodeArguments, .. SharedArchive(root, extraArguments), .. extraArguments, .. routing, "--cluster", members], environment?.Invoke(i) ?? new Dictionary<string, string>()));
            }
        }
        catch
        {
            await Task.WhenAll(started.Select(n => n.DisposeAsync().AsTask()));
            if (network is not null)
            {
                await network.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
            throw;
        }

        var cluster = new TestCluster(postgres, root, [.. started], databases, network);
        try
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(cluster.nodes.Select(n => n.WaitUntilHealthyAsync(StartTimeout, cancellationToken)));
            var healthy = clock.Elapsed;
            var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken);
            cluster.StartupReport = $"nodes healthy after {healthy.TotalSeconds:F1} s, node {leader} leader after {clock.Elapsed.TotalSeconds:F1} s";
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every member reads what the leader archived: one directory for all, unless the test names a store.</summary>
    public static IReadOnlyList<string> SharedArchive(string root, IReadOnlyList<string> extraArguments) =>
        extraArguments.Any(a => a is "--archive-dir" or "--s3-bucket" or "--no-archive") ? [] : ["--archive-dir", Path.Combine(root, "archive")];

    /// <summary>The node's view of the cluster, or null when it does not answer within two seconds.</summary>
    public Task<NodeStatus?> TryGetStatusAsync(int index, CancellationToken cancellationToken) =>
        TryGetStatusAsync(nodes[index].BaseUrl, cancellationToken);

    /// <summary>The view of any node (this cluster's or one that joined it), or null when it does not answer within two seconds.</summary>
    public async Task<NodeStatus?> TryGetStatusAsync(Uri node, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(node, "/_ursula/cluster"), cancellationToken);
            return response.IsSuccessStatusCode ? NodeStatus.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The node's view of the cluster; a busy node gets ten seconds to answer.</summary>
    public async Task<NodeStatus> GetStatusAsync(int index, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await TryGetStatusAsync(index, cancellationToken) is { } status)
            {
                return status;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"Node {index} ({nodes[index].BaseUrl}) did not report its status within ten seconds.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Statuses of the live nodes (null where a node did not answer), by node index.</summary>
    public async Task<Dictionary<int, NodeStatus?>> GetStatusesAsync(IReadOnlyList<int> among, CancellationToken cancellationToken)
    {
        var statuses = await Task.WhenAll(among.Select(i => TryGetStatusAsync(i, cancellationToken)));
        return among.Select((node, k) => (node, statuses[k])).ToDictionary(p => p.node, p => p.Item2);
    }

    /// <summary>/_ursula/health of one node: 200 when it can serve, 503 when its PostgreSQL is unreachable, 0 when it does not answer.</summary>
    public async Task<int> HealthAsync(int index, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(nodes[index].BaseUrl, "/_ursula/health"), cancellationToken);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>
    /// Waits until one of the live nodes (or of <paramref name="among"/>) is leader and every one of
    /// them names it as the leader; returns its index.
    /// </summary>
    public async Task<int> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyList<int>? among = null)
    {
        var deadline = Stopwatch.StartNew();
        Dictionary<int, NodeStatus?> last = [];
        while (true)
        {
            var candidates = among ?? LiveNodes;
            last = await GetStatusesAsync(candidates, cancellationToken);
            if (last.Values.All(s => s is not null)
                && last.Where(p => p.Value!.IsLeader).Select(p => p.Key).ToList() is [var leader]
                && last.Values.All(s => s!.Leader == last[leader]!.Self && s.Term == last[leader]!.Term))
            {
                return leader;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"No leader agreed by nodes {string.Join(',', candidates)} within {timeout}:\n{Describe(last)}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Leader and followers as the live nodes agree on them.</summary>
    public async Task<(int Leader, int[] Followers)> GetRolesAsync(CancellationToken cancellationToken)
    {
        var leader = await WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return (leader, Enumerable.Range(0, Size).Where(i => i != leader).ToArray());
    }

    /// <summary>
    /// Waits until every live node (or every node of <paramref name="among"/>) agrees on a leader,
    /// has applied the same log index and made it durable in its PostgreSQL, and stays there for a moment.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, NodeStatus>> WaitForConvergenceAsync(TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyList<int>? among = null)
    {
        var deadline = Stopwatch.StartNew();
        Dictionary<int, NodeStatus?> last = [];
        long? stableIndex = null;
        while (true)
        {
            var candidates = among ?? LiveNodes;
            last = await GetStatusesAsync(candidates, cancellationToken);
            if (Converged(last.Values))
            {
                var index = last.Values.First()!.AppliedIndex;
                if (stableIndex == index)
                {
                    return last.ToDictionary(p => p.Key, p => p.Value!);
                }

                stableIndex = index;
                await Task.Delay(300, cancellationToken);
                continue;
            }

            stableIndex = null;
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Nodes {string.Join(',', candidates)} did not converge within {timeout}:\n{Describe(last)}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until every live node has applied what the leader had committed when this was called
    /// (the load may go on meanwhile, so the nodes need not stand still at one index); returns that index.
    /// </summary>
    public async Task<long> WaitForCatchUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var leader = await WaitForLeaderAsync(timeout, cancellationToken);
        var target = (await GetStatusAsync(leader, cancellationToken)).CommitIndex;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var last = await GetStatusesAsync(LiveNodes, cancellationToken);
            if (last.Values.All(s => s is not null && s.AppliedIndex >= target))
            {
                return target;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Nodes did not apply log index {target} within {timeout}:\n{Describe(last)}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>One leader named by all, the same term and applied index everywhere, and all of it durable.</summary>
    public static bool Converged(IEnumerable<NodeStatus?> statuses)
    {
        var all = statuses.ToList();
        return all.All(s => s is not null)
            && all.Count(s => s!.IsLeader) == 1
            && all.Select(s => (s!.Leader, s.Term, s.AppliedIndex)).Distinct().Count() == 1
            && all.All(s => s!.DurableIndex >= s.AppliedIndex);
    }

    /// <summary>SIGKILL: the node stops at once, as in a crash.</summary>
    public void Kill(int index)
    {
        nodes[index].Kill();
        killed[index] = true;
        frozen[index] = false;
    }

    public void KillAll()
    {
        for (var i = 0; i < Size; i++)
        {
            Kill(i);
        }
    }

    /// <summary>Starts a killed node again on its old data directory and waits until it is healthy.</summary>
    public async Task RestartAsync(int index, CancellationToken cancellationToken)
    {
        nodes[index].Restart();
        killed[index] = false;
        await nodes[index].WaitUntilHealthyAsync(StartTimeout, cancellationToken);
    }

    /// <summary>SIGSTOP: the node keeps its sockets but runs no code until <see cref="Thaw"/>.</summary>
    public void Freeze(int index)
    {
        nodes[index].Freeze();
        frozen[index] = true;
    }

    /// <summary>SIGCONT.</summary>
    public void Thaw(int index)
    {
        nodes[index].Thaw();
        frozen[index] = false;
    }

    /// <summary>How often a node logged event 1301 (it replaced its state with a snapshot from the leader), restarts included.</summary>
    public int SnapshotInstalls(int index) => CountLines(nodes[index].Output, SnapshotInstalledMessage);

    public static int CountLines(string output, string text) =>
        output.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>The last lines each node wrote, for the test output when something went wrong.</summary>
    public string DescribeLogs(int linesPerNode = 120)
    {
        var text = new StringBuilder();
        for (var i = 0; i < Size; i++)
        {
            var lines = nodes[i].Output.Split('\n');
            text.AppendLine($"===== node {i} ({nodes[i].BaseUrl}, pid {nodes[i].ProcessId}{(nodes[i].HasExited ? ", exited" : string.Empty)}): last {Math.Min(linesPerNode, lines.Length)} of {lines.Length} lines =====");
            foreach (var line in lines.TakeLast(linesPerNode))
            {
                text.AppendLine(line.TrimEnd('\r'));
            }
        }

        return text.ToString();
    }

    /// <summary>Writes every node's whole output to DIRECTORY/nodeI.log.</summary>
    public void SaveLogs(string directory)
    {
        Directory.CreateDirectory(directory);
        for (var i = 0; i < Size; i++)
        {
            File.WriteAllText(Path.Combine(directory, $"node{i}.log"), $"{nodes[i].BaseUrl}\n{nodes[i].Output}");
        }
    }

    /// <summary>
    /// Writes what each node's PostgreSQL holds (node state, streams, every record with its log
    /// index) to DIRECTORY/nodeI.state.tsv, for a post-mortem of copies that differ.
    /// </summary>
    public async Task SaveStoredStateAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        for (var i = 0; i < Size; i++)
        {
            var text = new StringBuilder();
            try
            {
                await using var connection = new Npgsql.NpgsqlConnection(Databases[i]);
                await connection.OpenAsync();
                foreach (var query in new[]
                {
                    "select applied_index, applied_term, next_stream_id from ursula_node_state",
                    "select stream_id, path, tail, closed from streams order by stream_id",
                    "select stream_id, start_pos, end_pos, log_index, producer_id, encode(payload, 'escape') from stream_records order by stream_id, start_pos",
                })
                {
                    text.AppendLine($"-- {query}");
                    await using var command = new Npgsql.NpgsqlCommand(query, connection);
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        var values = new object[reader.FieldCount];
                        reader.GetValues(values);
                        text.AppendLine(string.Join('\t', values.Select(v => v.ToString()?.Replace("\n", "\\n", StringComparison.Ordinal))));
                    }
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                text.AppendLine($"-- could not read: {e.Message}");
            }

            await File.WriteAllTextAsync(Path.Combine(directory, $"node{i}.state.tsv"), text.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        http.Dispose();
        // The data directories go next, so there is nothing to shut down gracefully: SIGKILL (which
        // also ends a frozen process) is quickest. DisposeAsync then only releases the handles.
        foreach (var node in nodes)
        {
            node.Kill();
        }

        await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        if (Network is not null)
        {
            await Network.DisposeAsync();
        }

        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Describe(Dictionary<int, NodeStatus?> statuses) =>
        string.Join('\n', statuses.Select(p => $"  node {p.Key}: {p.Value?.ToString() ?? "no answer"}"));
}
