// The promise behind every acknowledgement on one node: the answer waits for the WAL flush that
// covers the write. The node's WAL fsyncs are held at a seam (FsyncGate); an append sent then
// must not be answered until they are released, and must be there after a SIGKILL and restart.
using System.Diagnostics;
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class WalFlushOrderingTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan HeldFor = TimeSpan.FromSeconds(3);
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-walorder-{Guid.NewGuid():N}");
    private readonly FsyncGate gate = new();
    private NodeProcess node = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(WalFlushOrderingTests), CancellationToken.None);
        node = NodeProcess.Start(FreePort.Next(), dataDir, database, [], gate.Environment());
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        client = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    [Fact]
    public async Task An_append_is_not_acknowledged_before_the_WAL_flush_that_covers_it_has_completed()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.Created, (await client.CreateAsync("/order/s", body: "before;", cancellationToken: ct)).StatusCode);

        gate.Close();
        var clock = Stopwatch.StartNew();
        var append = client.AppendAsync("/order/s", "held;", cancellationToken: ct,
            headers: [("Producer-Id", "p"), ("Producer-Epoch", "0"), ("Producer-Seq", "0")]);
        var early = await Task.WhenAny(append, Task.Delay(HeldFor, ct));
        Assert.True(gate.HasHeldAFlush, "The node never flushed its WAL while the gate was closed: the seam did not engage.");
        if (early == append)
        {
            Assert.Fail($"The append was answered {(int)(await append).StatusCode} after {clock.ElapsedMilliseconds} ms, while its WAL flush was still held.");
        }

        gate.Open();
        using var response = await append;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        TestContext.Current.TestOutputHelper?.WriteLine($"answered {clock.ElapsedMilliseconds} ms after sending, once the flush held for {HeldFor.TotalSeconds} s was released");

        node.Kill();
        node.Restart();
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
        Assert.Equal("before;held;", await client.ReadAllAsync("/order/s", ct));
    }

    public async ValueTask DisposeAsync()
    {
        gate.Open();
        client?.Dispose();
        if (node is not null)
        {
            await node.DisposeAsync();
        }

        gate.Dispose();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
