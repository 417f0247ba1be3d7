// /_ursula/metrics scraped while appends run: the Prometheus text parses, appends are counted by
// route and status, latency histograms and bytes move, the Raft gauges show a leader, and every
// series is named ursula_*. Request ids are answered and accepted only when sane.
using System.Net;
using Ursula.Tests.Cluster;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class MetricsTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    [Fact]
    public async Task Metrics_scraped_during_a_load_show_appends_bytes_latency_and_the_Raft_leader()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var load = new AppendLoad([fixture.Node.BaseUrl], writers: 4, streams: 2, prefix: "/metrics-load");
        await load.CreateStreamsAsync(ct);
        load.Start();
        await load.WaitForAcknowledgedAsync(200, TimeSpan.FromSeconds(30), ct);
        // PostgreSQL is written behind the WAL, every 50 ms or so: 200 appends can be acknowledged
        // before the first batch is in (CI once scraped 285 ms into the load). Scrape until a flush
        // has been recorded, for 15 s at most; a flusher that never writes still fails below.
        var during = await ScrapeAsync(ct);
        var flushWait = System.Diagnostics.Stopwatch.StartNew();
        while (during.Sum("ursula_postgres_flush_duration_seconds_count") == 0 && flushWait.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100, ct);
            during = await ScrapeAsync(ct);
        }
        await load.StopAsync(TimeSpan.FromSeconds(30));

        var appends = during.Sum("ursula_requests_total", l => l["route"] == "append" && l["status"].StartsWith('2'));
        Assert.True(appends >= 200, $"append requests counted: {appends}");
        Assert.True(during.Sum("ursula_append_duration_seconds_count") >= 200);
        Assert.True(during.Sum("ursula_http_request_bytes_total", l => l["route"] == "append") > 0);
        Assert.True(during.Sum("ursula_group_commit_commands_count") > 0);
        Assert.True(during.Sum("ursula_postgres_flush_duration_seconds_count") > 0, $"no PostgreSQL flush recorded within {flushWait.Elapsed.TotalSeconds:F1} s of load");
        Assert.Equal(1, during.Single("ursula_raft_role", l => l["role"] == "leader").Value);
        Assert.Equal(0, during.Single("ursula_raft_role", l => l["role"] == "follower").Value);
        Assert.Equal(1, during.Single("ursula_raft_leader_known").Value);
        Assert.True(during.Single("ursula_raft_term").Value >= 0); // a lone node leads from term 0
        Assert.True(during.Single("ursula_raft_commit_index").Value > 0);
        Assert.True(during.Single("ursula_raft_apply_index").Value > 0);
        Assert.True(during.Sum("ursula_streams") >= 2);

        var names = during.Select(s => s.Name).Distinct().ToList();
        var foreign = names.Where(n => !n.StartsWith("ursula_", StringComparison.Ordinal) && n is not "target_info").ToList();
        Assert.True(foreign.Count == 0, "series outside ursula_: " + string.Join(", ", foreign));
        Assert.Contains(names, n => n.StartsWith("ursula_postgres_connection", StringComparison.Ordinal));

        // A later scrape counts the first one and moves the append counter no further back.
        var after = await ScrapeAsync(ct);
        Assert.True(after.Sum("ursula_requests_total", l => l["route"] == "append") >= during.Sum("ursula_requests_total", l => l["route"] == "append"));
        Assert.True(after.Sum("ursula_http_response_bytes_total", l => l["route"] == "node") > 0);
    }

    [Fact]
    public async Task A_live_SSE_reader_is_counted_while_connected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var create = await fixture.Client.PutAsync("/metrics-sse", new StringContent(string.Empty), ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics-sse?offset=-1&live=sse");
        using var sse = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, sse.StatusCode);
        var open = await ScrapeAsync(ct);
        Assert.True(open.Sum("ursula_live_connections", l => l["kind"] == "sse") >= 1);
    }

    [Fact]
    public async Task Every_answer_carries_a_request_id_and_a_sane_incoming_one_is_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        using var plain = await fixture.Client.GetAsync("/_ursula/health/live", ct);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var generated = Assert.Single(plain.Headers.GetValues("X-Request-Id"));
        Assert.Matches("^[0-9a-f]{16}$", generated);

        using var kept = new HttpRequestMessage(HttpMethod.Get, "/no-such-stream");
        kept.Headers.TryAddWithoutValidation("X-Request-Id", "trace-42.a:b_c");
        using var keptResponse = await fixture.Client.SendAsync(kept, ct);
        Assert.Equal("trace-42.a:b_c", Assert.Single(keptResponse.Headers.GetValues("X-Request-Id")));

        foreach (var bad in new[] { "has space", "semi;colon", new string('x', 129), "quote\"" })
        {
            using var refused = new HttpRequestMessage(HttpMethod.Get, "/no-such-stream");
            refused.Headers.TryAddWithoutValidation("X-Request-Id", bad);
            using var answer = await fixture.Client.SendAsync(refused, ct);
            var id = Assert.Single(answer.Headers.GetValues("X-Request-Id"));
            Assert.NotEqual(bad, id);
            Assert.Matches("^[0-9a-f]{16}$", id);
        }
    }

    [Fact]
    public async Task Liveness_answers_and_readiness_reports_a_ready_single_node()
    {
        var ct = TestContext.Current.CancellationToken;
        using var live = await fixture.Client.GetAsync("/_ursula/health/live", ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await fixture.Client.GetAsync("/_ursula/health/ready", ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"ready\"", await ready.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(CancellationToken ct)
    {
        using var response = await fixture.Client.GetAsync("/_ursula/metrics", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(text);
    }
}
