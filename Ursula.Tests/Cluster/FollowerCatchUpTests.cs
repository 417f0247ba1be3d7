using System.Diagnostics;

namespace Ursula.Tests.Cluster;

public sealed class FollowerCatchUpTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private const string SnapshotInstalled = TestCluster.SnapshotInstalledMessage;
    private const long Volume = 4L * 1024 * 1024;

    /// <summary>
    /// The WAL keeps a retention window of log behind its newest entry (64 MiB by default) so that a
    /// follower lagging by less catches up from the log; a 1 MiB window lets a few MiB of appends
    /// push the dead follower's position out of the leader's WAL.
    /// </summary>
    protected override IReadOnlyList<string> ExtraNodeArguments => ["--wal-retain-bytes", "1048576"];

    /// <summary>Through the test's proxies, so that the snapshot's transfer can be slowed enough for readiness to be watched.</summary>
    protected override bool FaultyNetwork => true;

    [Fact]
    public async Task A_follower_that_fell_behind_the_truncated_log_catches_up_from_a_snapshot_and_converges()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var lagging = followers[0];
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(200, TimeSpan.FromSeconds(30), Ct);

        Cluster.Kill(lagging);
        var behind = (await Cluster.GetStatusAsync(leader, Ct)).AppliedIndex;
        // The WAL chunks that held the follower's position (and everything after it) at the kill.
        var walBefore = DataChunks(leader);

        // Big appends fill the 64 KiB WAL chunks quickly; once PostgreSQL holds them the leader drops
        // the chunks, so the dead follower's next entry exists nowhere but in the leader's tables.
        var smallPayload = load.PayloadBytes;
        load.PayloadBytes = 16 * 1024;
        var bytesBefore = load.AcknowledgedBytes;
        var writing = Stopwatch.StartNew();
        var seen = "nothing yet";
        try
        {
            await WaitUntilAsync(
                async () =>
                {
                    var appended = load.AcknowledgedBytes - bytesBefore;
                    if (appended >= Volume)
                    {
                        // Enough volume: small appends from here on. Where the leader took long to drop
                        // its old WAL chunks (33 s once in CI), 16 KiB appends kept coming all that time
                        // and made a 175 MB snapshot, far more than the slowed link carries in the 60 s below.
                        load.PayloadBytes = smallPayload;
                    }

                    var durable = (await Cluster.TryGetStatusAsync(leader, Ct))?.DurableIndex;
                    var chunks = DataChunks(leader);
                    seen = $"{appended / 1024} KiB appended, leader durable at {durable} (killed at <= {behind}), WAL data chunks at the kill {Describe(walBefore)}, now {Describe(chunks)}";
                    return appended >= Volume && durable > behind + 100 && !chunks.Intersect(walBefore).Any();
                },
                TimeSpan.FromSeconds(60), "the leader made 4 MiB durable past the dead follower's position and dropped the WAL chunks it had then");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last seen: {seen}.", e);
        }

        var ahead = await Cluster.GetStatusAsync(leader, Ct);
        Log($"follower node {lagging} killed at log index <= {behind}; {(load.AcknowledgedBytes - bytesBefore) / 1024} KiB appended in {writing.Elapsed.TotalSeconds:F1} s; leader durable at {ahead.DurableIndex}; leader WAL data chunks at the kill: {Describe(walBefore)}, now: {Describe(DataChunks(leader))}");
        await load.StopAsync(TimeSpan.FromSeconds(45));

        // Back on its old data directory: the follower must take the leader's snapshot, then the log after it.
        var outputBefore = Cluster[lagging].Output.Length;
        var target = (await Cluster.GetStatusAsync(leader, Ct)).AppliedIndex;
        // Readiness, asked every 10 ms from before the restart until well after the catch-up: an
        // orchestrator must see the node unready until it has caught up, and say why while it
        // installs the leader's snapshot. The link from the leader is slowed (20 ms per 32 KiB) so
        // that the install lasts seconds rather than the tens of milliseconds it takes on loopback.
        Cluster.Network!.Slow(leader, lagging, TimeSpan.FromMilliseconds(20));
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var readiness = WatchReadinessAsync(Cluster.Urls[lagging], watching.Token);
        var restart = Stopwatch.StartNew();
        await Cluster.RestartAsync(lagging, Ct);
        var healthy = restart.Elapsed;
        await WaitUntilAsync(async () => (await Cluster.TryGetStatusAsync(lagging, Ct))?.AppliedIndex >= target, TimeSpan.FromSeconds(60), $"node {lagging} applied log index {target}");
        var caughtUp = restart.Elapsed;
        Cluster.Network!.HealAll();
        Log($"catch-up: node {lagging} restarted, healthy after {healthy.TotalMilliseconds:F0} ms, at the leader's index {target} (from {behind}) after {caughtUp.TotalMilliseconds:F0} ms ({(caughtUp - healthy).TotalMilliseconds:F0} ms after it was healthy)");

        // The console logger writes asynchronously: give the line a moment to arrive.
        string Output() => Cluster[lagging].Output[outputBefore..];
        try
        {
            await WaitUntilAsync(() => Output().Contains(SnapshotInstalled, StringComparison.Ordinal), TimeSpan.FromSeconds(10), $"node {lagging} logged event 1301");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Node {lagging} did not log event 1301 ({SnapshotInstalled}) after its restart:\n{Output()}");
        }

        Log($"node {lagging}: {Output().Split('\n').First(line => line.Contains(SnapshotInstalled, StringComparison.Ordinal)).Trim()}");
        await WaitUntilAsync(async () => (await ReadyStatusAsync(Cluster.Urls[lagging])) == 200, TimeSpan.FromSeconds(30), $"node {lagging} ready again");
        await watching.CancelAsync();
        var answers = await readiness;
        Log($"readiness of node {lagging} during the catch-up: {string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Count()} x {g.Key}"))}");
        var installing = answers.FindIndex(a => a.StartsWith("503", StringComparison.Ordinal) && a.Contains("installing a snapshot", StringComparison.Ordinal));
        Assert.True(installing >= 0, "readiness never said the node was installing a snapshot");
        Assert.DoesNotContain(answers.Take(installing), a => a.StartsWith("200", StringComparison.Ordinal));
        Assert.StartsWith("200", answers[^1], StringComparison.Ordinal);
        var converged = await Cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), Ct);
        Log($"converged at log index {converged.Values.First().AppliedIndex}");
        var report = await AppendChecker.CheckAsync(load, Cluster.Urls, Ct);
        Log($"check: {report}");
        Assert.True(report.Passed, report.ToString());

        // The caught-up node takes its share of new writes and stays in step.
        await using var after = new AppendLoad(Cluster.Urls, prefix: "/after");
        await after.CreateStreamsAsync(Ct);
        after.Start();
        await WaitUntilAsync(() => after.AcknowledgedVia(lagging) >= 50, TimeSpan.FromSeconds(30), $"node {lagging} acknowledged appends");
        await StopLoadsAndCheckAsync([load, after]);
    }

    /// <summary>Polls /_ursula/health/ready until cancelled; returns every answer in order, changes only ("503 reason" or "200").</summary>
    private static async Task<List<string>> WatchReadinessAsync(Uri node, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var answers = new List<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            string answer;
            try
            {
                using var response = await http.GetAsync(new Uri(node, "/_ursula/health/ready"), CancellationToken.None);
                answer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}";
            }
            catch (HttpRequestException)
            {
                answer = "down";
            }
            catch (TaskCanceledException)
            {
                answer = "timeout";
            }

            if (answers.Count == 0 || answers[^1] != answer)
            {
                answers.Add(answer);
            }

            try
            {
                await Task.Delay(10, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return answers;
    }

    private static async Task<int> ReadyStatusAsync(Uri node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri(node, "/_ursula/health/ready"));
        return (int)response.StatusCode;
    }

    private static string Describe(long[] chunks) =>
        chunks.Length == 0 ? "none" : $"{chunks.Length} ({chunks[0]}..{chunks[^1]})";

    /// <summary>The numbers of the node's WAL data chunk files (DATA_DIR/raft/wal/data/N).</summary>
    private long[] DataChunks(int node)
    {
        var data = Path.Combine(Cluster.RootDirectory, $"node{node}", "raft", "wal", "data");
        return Directory.Exists(data)
            ? Directory.EnumerateFiles(data).Select(f => long.TryParse(Path.GetFileName(f), out var n) ? n : -1).Where(n => n >= 0).Order().ToArray()
            : [];
    }
}
