// Network faults between the nodes (Infrastructure/Network/FaultyNetwork), under the steady load of
// AppendLoad with its history: the leader isolated from both followers; then, on one cluster, a
// follower partitioned away, a one-way cut from the leader to a follower, flapping links chosen by a
// seed, and a slow link to one follower. After the faults every node is restarted and the checker
// runs over every copy. URSULA_TEST_SEED replays the flapping of a failed run.
using System.Diagnostics;
using Ursula.Tests.Checking;

namespace Ursula.Tests.Cluster;

public sealed class PartitionTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private static readonly TimeSpan PartitionFor = TimeSpan.FromSeconds(4);

    protected override bool FaultyNetwork => true;

    private Infrastructure.Network.FaultyNetwork Network => Cluster.Network!;

    [Fact]
    public async Task An_isolated_leader_acknowledges_nothing_the_majority_elects_another_and_after_the_heal_its_tail_is_discarded()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        var oldTerm = (await Cluster.GetStatusAsync(leader, Ct)).Term;
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), Ct);
        var probes = new DirectProbes("/isolated/direct", 8);
        await probes.CreateStreamAsync(Cluster.Urls[leader], Ct);

        var isolatedAt = Stopwatch.GetTimestamp();
        Network.Isolate(leader);
        Log($"leader node {leader} isolated ({Network.Describe()})");

        // Appends sent to the isolated leader itself: the minority side must not acknowledge them.
        var probing = probes.SendAsync(Cluster.Urls[leader], TimeSpan.FromSeconds(30), Ct);
        var newLeader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20), Ct, among: followers);
        var first = await load.WaitForAcknowledgementSentAfterAsync(isolatedAt, TimeSpan.FromSeconds(30), Ct);
        Log($"node {newLeader} elected by the majority after {Stopwatch.GetElapsedTime(isolatedAt).TotalMilliseconds:F0} ms; first append sent after the cut acknowledged after {Stopwatch.GetElapsedTime(isolatedAt, first.Acknowledged).TotalMilliseconds:F0} ms (via node {first.Node})");
        var viaMajority = load.TotalAcknowledged;
        await load.WaitForAcknowledgedAsync(viaMajority + 200, TimeSpan.FromSeconds(30), Ct);
        await WaitUntilAsync(() => Stopwatch.GetElapsedTime(isolatedAt) > PartitionFor, PartitionFor + TimeSpan.FromSeconds(1), "the partition lasted");

        var healedAt = History.Now;
        Network.HealAll();
        var outcomes = await probing;
        Log($"healed after {Stopwatch.GetElapsedTime(isolatedAt).TotalSeconds:F1} s, {Network.DroppedBytes} bytes dropped; appends sent to the isolated leader: {string.Join(", ", outcomes.Select(o => o.Result))}");
        Assert.DoesNotContain(outcomes, o => o.Result == OperationResult.Ok && o.Completed < healedAt);

        await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20), Ct);
        var status = await Cluster.GetStatusAsync(leader, Ct);
        Assert.True(status.Term > oldTerm, $"The old leader is still in term {status.Term}: {status}");
        var via = load.AcknowledgedVia(leader);
        await WaitUntilAsync(() => load.AcknowledgedVia(leader) >= via + 50, TimeSpan.FromSeconds(30), "the healed node acknowledged appends");
        await StopLoadAndCheckAsync(load);
        Log(await probes.CheckAsync(Cluster.Urls, Ct));
    }

    [Fact]
    public async Task Writes_go_on_through_a_partitioned_follower_a_one_way_cut_flapping_links_and_a_slow_link_and_nothing_acknowledged_is_lost()
    {
        var seed = Seed();
        Log($"seed {seed} (URSULA_TEST_SEED={seed} replays the flapping)");
        await using var load = new AppendLoad(Cluster.Urls);
        await load.CreateStreamsAsync(Ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), Ct);

        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        await UnderFaultAsync(load, $"follower node {followers[0]} partitioned from the others", () => Network.Isolate(followers[0]));

        (leader, followers) = await Cluster.GetRolesAsync(Ct);
        await UnderFaultAsync(load, $"one-way cut: leader node {leader} -> follower node {followers[1]}", () => Network.Cut(leader, followers[1]));

        var random = new Random(seed);
        await UnderFaultAsync(load, "flapping links", async () =>
        {
            var flapping = Stopwatch.StartNew();
            while (flapping.Elapsed < PartitionFor)
            {
                var a = random.Next(TestCluster.Size);
                var b = (a + 1 + random.Next(TestCluster.Size - 1)) % TestCluster.Size;
                if (random.Next(2) == 0)
                {
                    Network.CutBoth(a, b);
                }
                else
                {
                    Network.Cut(a, b);
                }

                await Task.Delay(random.Next(150, 700), Ct);
                Network.HealAll();
                await Task.Delay(random.Next(50, 400), Ct);
            }
        });

        (leader, followers) = await Cluster.GetRolesAsync(Ct);
        await UnderFaultAsync(load, $"slow link (+150 ms a chunk, both ways) between leader node {leader} and follower node {followers[0]}", () =>
        {
            Network.Slow(leader, followers[0], TimeSpan.FromMilliseconds(150));
            Network.Slow(followers[0], leader, TimeSpan.FromMilliseconds(150));
        });

        await StopLoadAndCheckAsync(load);
    }

    private async Task UnderFaultAsync(AppendLoad load, string fault, Action inject) =>
        await UnderFaultAsync(load, fault, async () =>
        {
            inject();
            await Task.Delay(PartitionFor, Ct);
        });

    /// <summary>Injects a fault, requires that a majority keeps acknowledging meanwhile, heals, and waits for the nodes to agree again.</summary>
    private async Task UnderFaultAsync(AppendLoad load, string fault, Func<Task> injectAndHold)
    {
        var before = load.TotalAcknowledged;
        var clock = Stopwatch.StartNew();
        var holding = injectAndHold();
        Log($"{fault}: {Network.Describe()}");
        await holding;
        var during = load.TotalAcknowledged - before;
        Network.HealAll();
        Log($"{fault}: {during} appends acknowledged in {clock.Elapsed.TotalSeconds:F1} s, {Network.DroppedBytes} bytes dropped so far; healed");
        Assert.True(during > 0, $"No append was acknowledged during '{fault}', though a majority stayed connected.");
        var caughtUp = await Cluster.WaitForCatchUpAsync(TimeSpan.FromSeconds(60), Ct);
        Log($"{fault}: every node applied log index {caughtUp} after the heal");
        await load.WaitForAcknowledgedAsync(load.TotalAcknowledged + 100, TimeSpan.FromSeconds(30), Ct);
    }

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("URSULA_TEST_SEED"), System.Globalization.CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next(1, int.MaxValue);
}
