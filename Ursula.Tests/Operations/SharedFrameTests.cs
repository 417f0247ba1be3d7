// The shared SSE frame: readers that echo a cursor share the encoded data event too (the control
// event after it carries each reader's cursor), its bytes are counted (ursula_sse_shared_frame_bytes)
// and given back when the stream's last live reader leaves, and a frame larger than what the
// hot-tail budget has room for is sent without being kept.
using System.Net;
using System.Text;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class SharedFrameTests(SharedFrameTests.SmallBudgetNode fixture) : IClassFixture<SharedFrameTests.SmallBudgetNode>
{
    [Fact]
    public async Task Readers_echoing_a_cursor_share_the_data_event_and_its_bytes_are_returned_when_they_leave()
    {
        var ct = TestContext.Current.CancellationToken;
        using var create = await fixture.Client.PutAsync("/shared/cursors", new StringContent(string.Empty, Encoding.UTF8, "text/plain"), ct);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal(0, await SharedBytesAsync(ct));

        // The frame is kept only when the hot tails leave room for it in the 1 MiB budget: wait until
        // records of the other test here (1.5 MB, trimmed once PostgreSQL has them) have left.
        await WaitForAsync(async () => await GaugeAsync("ursula_hot_tail_bytes", ct) < 512 * 1024, ct, "the hot tails did not shrink below half the budget");

        var readers = new List<(HttpResponseMessage Response, StreamReader Body)>();
        foreach (var cursor in new[] { "1000", "2000", "3000" })
        {
            var response = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/shared/cursors?offset=now&live=sse&cursor={cursor}"), HttpCompletionOption.ResponseHeadersRead, ct);
            readers.Add((response, new StreamReader(await response.Content.ReadAsStreamAsync(ct))));
        }

        var payload = new string('x', 10_000);
        using var append = await fixture.Client.PostAsync("/shared/cursors", new StringContent(payload, Encoding.UTF8, "text/plain"), ct);
        Assert.True(append.IsSuccessStatusCode);
        foreach (var (_, body) in readers)
        {
            Assert.True(await ReadUntilAsync(body, payload, ct), "a reader did not get the data");
        }

        // One kept copy of the data event for the three readers, not one each, and none of their cursors in it.
        var shared = await SharedBytesAsync(ct);
        Assert.InRange(shared, payload.Length, (2 * payload.Length) - 1);

        foreach (var (response, body) in readers)
        {
            body.Dispose();
            response.Dispose();
        }

        await WaitForAsync(async () => await SharedBytesAsync(ct) == 0, ct);
    }

    [Fact]
    public async Task A_frame_larger_than_the_room_left_in_the_hot_tail_budget_is_sent_but_not_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        using var create = await fixture.Client.PutAsync("/shared/big", new StringContent(string.Empty, Encoding.UTF8, "text/plain"), ct);
        using var response = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/shared/big?offset=now&live=sse"), HttpCompletionOption.ResponseHeadersRead, ct);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var payload = new string('y', 1_500_000); // over the node's 1 MiB hot-tail budget
        using var append = await fixture.Client.PostAsync("/shared/big", new StringContent(payload, Encoding.UTF8, "text/plain"), ct);
        Assert.True(append.IsSuccessStatusCode);
        Assert.True(await ReadUntilAsync(body, "yyyyyyyyyy", ct), "the reader did not get the data");
        Assert.True(await SharedBytesAsync(ct) < payload.Length, "a frame over the budget was kept");
    }

    private static async Task<bool> ReadUntilAsync(StreamReader body, string needle, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(20));
        while (await body.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.Contains(needle, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private Task<double> SharedBytesAsync(CancellationToken ct) => GaugeAsync("ursula_sse_shared_frame_bytes", ct);

    private async Task<double> GaugeAsync(string name, CancellationToken ct)
    {
        using var response = await fixture.Client.GetAsync("/_ursula/metrics", ct);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync(ct)).Sum(name);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, CancellationToken ct, string what = "the shared frame's bytes were not given back")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(100, ct);
        }
    }

    public sealed class SmallBudgetNode(PostgresFixture postgres) : SingleNodeFixture(postgres)
    {
        protected override string[] ExtraArguments => ["--long-poll-timeout", "2", "--hot-tail-bytes", "1048576"];
    }
}
