// SIGTERM under a steady load of appends, on a lone node: the node stops within its shutdown
// budget, every live SSE reader's response ends cleanly with a control event, and after a restart
// every acknowledged append is read back from storage.
using System.Diagnostics;
using Ursula.Tests.Cluster;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class GracefulStopTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-graceful-{Guid.NewGuid().ToString("N")[..8]}");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_SIGTERM_under_load_loses_no_acknowledged_append_and_ends_every_SSE_reader_with_a_control_event()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync(nameof(GracefulStopTests), ct);
        await using var node = NodeProcess.Start(FreePort.Next(), dataDir, database, "--long-poll-timeout", "2");
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
        await using var load = new AppendLoad([node.BaseUrl], prefix: "/graceful");
        await load.CreateStreamsAsync(ct);
        var watchers = new List<SseWatcher>();
        foreach (var path in load.StreamPaths)
        {
            watchers.Add(await SseWatcher.StartAsync(new Uri(node.BaseUrl, path), ct));
        }

        load.Start();
        await load.WaitForAcknowledgedAsync(500, TimeSpan.FromSeconds(30), ct);
        var acknowledgedBefore = load.TotalAcknowledged;

        var clock = Stopwatch.StartNew();
        await node.StopAsync(TimeSpan.FromSeconds(60));
        var stoppedIn = clock.Elapsed;
        Assert.True(node.HasExited);
        Assert.True(stoppedIn < TimeSpan.FromSeconds(30), $"the stop took {stoppedIn} (SSE readers held it until the shutdown timeout?)\n{node.Output}");
        Assert.Contains("Stopping: new requests are refused", node.Output, StringComparison.Ordinal);

        await Task.WhenAll(watchers.Select(w => w.Completion)).WaitAsync(TimeSpan.FromSeconds(10), ct);
        foreach (var watcher in watchers)
        {
            Assert.True(watcher.EndedCleanly && watcher.LastEvent == "control", $"an SSE reader: {watcher}");
            Assert.Contains("streamNextOffset", watcher.LastControl, StringComparison.Ordinal);
            watcher.Dispose();
        }

        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
        await load.StopAsync(TimeSpan.FromSeconds(60));
        Assert.True(load.Anomalies.Count == 0, string.Join('\n', load.Anomalies.Take(20)));
        var report = await AppendChecker.CheckAsync(load, [node.BaseUrl], ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"stopped in {stoppedIn.TotalSeconds:F1} s with {acknowledgedBefore}+ acknowledged; {load.Describe()}; {report}");
        Assert.True(report.Passed, report.ToString());
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
