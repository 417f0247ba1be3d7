// Backpressure: a subscriber that reads far slower than the stream is written must not make the
// server buffer the stream for it. Its bounded channel fills, its reader stops, and when it reads
// faster it catches up from storage in chunks of many appends, with every byte in order; meanwhile
// the server's memory does not grow with what was written past it.
using System.Text;
using System.Text.Json;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Hub;

/// <summary>A node with a small hot tail, so that what was written past the slow subscriber is mostly in PostgreSQL only.</summary>
public sealed class SmallHotTailNodeFixture(PostgresFixture postgres) : SingleNodeFixture(postgres)
{
    protected override string[] ExtraArguments => ["--long-poll-timeout", "2", "--hot-tail-bytes", "4194304"];

    // Workstation, non-concurrent GC with a 16 MiB gen0 budget: the node's RSS follows what it holds
    // more closely than under the server GC, whose heap growth alone moved RSS by 9 to 122 MB for
    // the same 32 MiB write.
    protected override IReadOnlyDictionary<string, string> NodeEnvironment => new Dictionary<string, string>
    {
        ["DOTNET_gcServer"] = "0",
        ["DOTNET_gcConcurrent"] = "0",
        ["DOTNET_GCgen0size"] = "1000000",
    };
}

[Trait("Category", "Integration")]
public sealed class HubBackpressureTests(SmallHotTailNodeFixture fixture) : IClassFixture<SmallHotTailNodeFixture>
{
    private const int AppendBytes = 8 * 1024;
    private const int Appends = 4 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slow_subscriber_falls_behind_and_catches_up_from_storage_without_growing_server_memory()
    {
        // The same volume written once without a subscriber first, so the node's heap has grown to
        // what the write path itself needs; then once more without one, measured, as the control:
        // what the subscribed write adds beyond the control's growth is the subscriber's.
        var warmUp = $"/hub-backpressure/warm-up-{Guid.NewGuid():N}";
        await fixture.Client.CreateAsync(warmUp, "text/plain", cancellationToken: Ct);
        await WriteAsync(warmUp);
        var control = $"/hub-backpressure/control-{Guid.NewGuid():N}";
        await fixture.Client.CreateAsync(control, "text/plain", cancellationToken: Ct);
        var (controlBefore, controlPeak) = await MeasureAsync(() => WriteAsync(control));

        var path = $"/hub-backpressure/{Guid.NewGuid():N}";
        await fixture.Client.CreateAsync(path, "text/plain", cancellationToken: Ct);
        await using var slow = await SlowSubscriber.SubscribeAsync(fixture.Node.BaseUrl, path, Ct);
        await Task.Delay(500, Ct);
        var (before, peak) = await MeasureAsync(() => WriteAsync(path));
        var grown = peak - before;
        var controlGrown = Math.Max(0, controlPeak - controlBefore);
        TestContext.Current.TestOutputHelper?.WriteLine($"server RSS {before} MB before, peak {peak} MB while {Appends * AppendBytes >> 20} MiB were written past the slow subscriber (+{grown} MB); the same write without a subscriber: +{controlGrown} MB");

        var total = Appends * AppendBytes;
        var received = 0;
        var counted = 0;
        try
        {
            await slow.ReadUntilAsync(items =>
            {
                for (; counted < items.Count; counted++)
                {
                    received += items[counted].GetProperty("data").GetString()!.Length;
                }

                return received >= total;
            }, Ct);
        }
        catch
        {
            var log = fixture.Node.Output;
            TestContext.Current.TestOutputHelper?.WriteLine($"read {slow.Items.Count} items, {received} chars; node log:\n{log[Math.Max(0, log.Length - 4000)..]}");
            throw;
        }

        var text = new StringBuilder(total);
        foreach (var item in slow.Items)
        {
            text.Append(item.GetProperty("data").GetString());
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{slow.Items.Count} items for {Appends} appends");
        Assert.Null(slow.Error);
        Assert.Equal(total, text.Length);
        Assert.Equal(await fixture.Client.ReadAllAsync(path, Ct), text.ToString());

        // Delivered live, every append would be an item of its own; read back from storage, items carry many.
        var largest = slow.Items.Max(i => i.GetProperty("data").GetString()!.Length);
        Assert.True(slow.Items.Count < Appends / 2, $"{slow.Items.Count} items for {Appends} appends: the server kept feeding the slow subscriber");
        Assert.True(largest > AppendBytes * 4, $"the largest item held {largest} bytes: no catch-up from storage");
        // The proof of backpressure is in the items above: a server that kept what went past the
        // subscriber would deliver each append as an item of its own. RSS is only a coarse check
        // here, since heap growth alone moves it by up to about 100 MB for this write (a larger
        // write makes the stalled subscriber exceed the hub's send timeout): it catches a server
        // that keeps several copies of what went past, not one.
        Assert.True(grown - controlGrown < 160, $"the server's memory grew by {grown} MB while {total >> 20} MiB went past a slow subscriber, {controlGrown} MB without one");
    }

    /// <summary>The node's RSS before <paramref name="work"/> and its peak while it runs and for two seconds after.</summary>
    private async Task<(long Before, long Peak)> MeasureAsync(Func<Task> work)
    {
        var before = ResidentMegabytes();
        var peak = before;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentMegabytes());
                await Task.Delay(100, CancellationToken.None);
            }
        }, Ct);

        await work();
        await Task.Delay(2000, Ct);
        await sampling.CancelAsync();
        await sampler;
        return (before, peak);
    }

    /// <summary>32 MiB in 8 KiB appends by eight writers, each append a recognisable block.</summary>
    private Task WriteAsync(string path) =>
        Parallel.ForEachAsync(Enumerable.Range(0, 8), Ct, async (writer, ct) =>
        {
            using var http = new HttpClient { BaseAddress = fixture.Node.BaseUrl };
            for (var i = writer; i < Appends; i += 8)
            {
                using var response = await http.AppendAsync(path, Block(i), "text/plain", ct);
                response.EnsureSuccessStatusCode();
            }
        });

    private static string Block(int i)
    {
        var head = $"[{i:D6}]";
        return head + new string((char)('a' + (i % 26)), AppendBytes - head.Length);
    }

    private long ResidentMegabytes()
    {
        var line = File.ReadLines($"/proc/{fixture.Node.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
