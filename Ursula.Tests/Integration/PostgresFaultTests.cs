// The PostgreSQL fault harness on one node: under a steady load of idempotent-producer appends the
// node's database fails (backends terminated, server stopped, writes refused) and heals; then the
// node is killed and restarted, so every read comes from PostgreSQL, and every acknowledged append
// must be there once and in order.
using System.Net;
using Ursula.Tests.Cluster;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class PostgresFaultTests : IAsyncLifetime
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"ursula-pgfault-{Guid.NewGuid().ToString("N")[..8]}");
    private readonly StoppablePostgres server;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public PostgresFaultTests()
    {
        server = new StoppablePostgres(Path.Combine(root, "pg"));
    }

    public async ValueTask InitializeAsync() => await server.StartAsync(CancellationToken.None);

    [Theory]
    [InlineData(PostgresFault.TerminateBackends)]
    [InlineData(PostgresFault.Stop)]
    [InlineData(PostgresFault.RefuseWrites)]
    public async Task Every_acknowledged_append_is_read_back_from_PostgreSQL_after_a_fault_and_a_restart(PostgresFault fault)
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await server.CreateDatabaseAsync($"pgfault_{fault.ToString().ToLowerInvariant()}_{Guid.NewGuid().ToString("N")[..8]}", ct);
        await using var node = NodeProcess.Start(FreePort.Next(), Path.Combine(root, $"node-{fault}"), database);
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
        await using var load = new AppendLoad([node.BaseUrl], prefix: "/pgfault");
        await load.CreateStreamsAsync(ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(300, TimeSpan.FromSeconds(30), ct);
        var before = load.TotalAcknowledged;

        await PostgresFaultInjector.InjectAsync(
            fault, database, new PostgresServerControl(start => start ? server.StartAsync(ct) : server.StopAsync(ct), server.Freeze), () => HealthAsync(node, ct), Log, ct);
        var healthy = await PostgresFaultInjector.WaitForHealthAsync(() => HealthAsync(node, ct), 200, ct, TimeSpan.FromSeconds(30));
        Assert.Equal(200, healthy);
        await load.WaitForAcknowledgedAsync(load.TotalAcknowledged + 300, TimeSpan.FromSeconds(30), ct);
        await load.StopAsync(TimeSpan.FromSeconds(30));
        Log($"{fault}: {load.Describe()} ({before} before the fault)");
        Assert.True(load.Anomalies.Count == 0, string.Join('\n', load.Anomalies.Take(20)));
        Assert.True(TestCluster.CountLines(node.Output, "to PostgreSQL failed") > 0, $"No flush failed: the fault did not reach the node.\n{node.Output}");

        // Everything applied is in PostgreSQL; a SIGKILL and restart then serves it from there alone.
        await WaitUntilDurableAsync(node, ct);
        node.Kill();
        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
        var report = await AppendChecker.CheckAsync(load, [node.BaseUrl], ct);
        Log($"after the restart: {report}");
        Assert.True(report.Passed, report.ToString());
    }

    private async Task<int> HealthAsync(NodeProcess node, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(node.BaseUrl, "/_ursula/health"), ct);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return 0;
        }
    }

    private async Task WaitUntilDurableAsync(NodeProcess node, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await http.GetAsync(new Uri(node.BaseUrl, "/_ursula/cluster"), ct);
            var status = NodeStatus.Parse(await response.Content.ReadAsStringAsync(ct));
            if (response.StatusCode == HttpStatusCode.OK && status.DurableIndex >= status.AppliedIndex)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"PostgreSQL did not catch up with apply: {status}");
            await Task.Delay(50, ct);
        }
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
