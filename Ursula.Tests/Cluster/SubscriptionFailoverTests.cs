// Subscriptions across a leader kill on a three-node cluster: a webhook subscription and a
// pull-wake worker go on being woken while numbered messages are appended before and after the
// SIGKILL of the leader. Every acknowledged message must reach the worker (no wake lost), each
// wake is acked at most once, and every ack replayed afterwards is fenced (no ack applied twice).
// The subscriptions live at the server root (/__ds/..., streams fo/a and fo/b).
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ursula.Tests.Infrastructure;
using Ursula.Tests.Subscriptions;

namespace Ursula.Tests.Cluster;

public sealed class SubscriptionFailoverTests(ClusterPostgres postgres) : ClusterTestBase(postgres)
{
    private const int PerPhase = 60;
    private static readonly string[] Streams = ["fo/a", "fo/b"];

    protected override IReadOnlyList<string> ExtraNodeArguments => ["--allow-local-http-webhooks"];

    [Fact]
    public async Task A_webhook_subscription_delivers_every_message_across_a_leader_kill_and_no_ack_applies_twice()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        using var client = new SubscriptionClient(Cluster.Urls, () => Cluster.LiveNodes);
        await CreateStreamsAsync(client);
        var keys = new ConcurrentDictionary<string, byte[]>();
        await using var receiver = new WebhookReceiver(kid => keys.TryGetValue(kid, out var key) ? key : null);

        // Created through a follower that stays up: the callback URL names it.
        var home = Cluster.Urls[followers[0]];
        using (var put = await client.Http.SendAsync(SubscriptionClient.Json(HttpMethod.Put, new Uri(home, "/__ds/subscriptions/fo-webhook"),
            JsonSerializer.Serialize(new { type = "webhook", pattern = "fo/*", webhook = new { url = receiver.Url }, lease_ttl_ms = 2000 })), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await LoadJwksAsync(client, home, keys);
        var seen = new ConcurrentDictionary<(string, long), int>();
        var acked = new ConcurrentBag<(string WakeId, string Token, string Body)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var worker = Task.Run(() => WebhookWorkerAsync(client, receiver, seen, acked, stop.Token), Ct);

        await AppendPhaseAsync(client, 0);
        Cluster.Kill(leader);
        Log($"killed leader node {leader}");
        await AppendPhaseAsync(client, PerPhase);

        await WaitUntilAckedAsync(client, home, "fo-webhook", 2 * PerPhase);
        await stop.CancelAsync();
        await worker.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        Assert.Equal(0, receiver.BadSignatures);
        await AssertEverythingSeenOnceAckedAsync(client, seen, acked, "callback");
    }

    [Fact]
    public async Task A_pull_wake_worker_processes_every_message_across_a_leader_kill_and_no_ack_applies_twice()
    {
        var (leader, followers) = await Cluster.GetRolesAsync(Ct);
        using var client = new SubscriptionClient(Cluster.Urls, () => Cluster.LiveNodes);
        await CreateStreamsAsync(client);
        using (var wake = await client.Http.CreateAsync(new Uri(Cluster.Urls[followers[0]], "/wake/pool").ToString(), "application/json", "[]", Ct))
        {
            Assert.Equal(HttpStatusCode.Created, wake.StatusCode);
        }

        using (var put = await client.Http.SendAsync(SubscriptionClient.Json(HttpMethod.Put, new Uri(Cluster.Urls[followers[0]], "/__ds/subscriptions/fo-pull"),
            JsonSerializer.Serialize(new { type = "pull-wake", pattern = "fo/*", wake_stream = "wake/pool", lease_ttl_ms = 2000 })), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var seen = new ConcurrentDictionary<(string, long), int>();
        var acked = new ConcurrentBag<(string WakeId, string Token, string Body)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var worker = new PullWakeWorker(client, "fo-pull", "/wake/pool", "worker-1");
        var running = Task.Run(() => worker.RunAsync(seen, acked, stop.Token), Ct);

        await AppendPhaseAsync(client, 0);
        Cluster.Kill(leader);
        Log($"killed leader node {leader}");
        await AppendPhaseAsync(client, PerPhase);

        await WaitUntilAckedAsync(client, Cluster.Urls[followers[0]], "fo-pull", 2 * PerPhase);
        await stop.CancelAsync();
        await running.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        Log($"pull-wake: {worker.Claims} claims, {worker.Busy} ALREADY_CLAIMED, {worker.Events} wake events read by the worker's tail");
        await AssertEverythingSeenOnceAckedAsync(client, seen, acked, "ack");

        // The wake stream: one event per pending stream of every wake, each (generation, stream)
        // once, generations never going back, on every live node alike.
        var copies = new List<string>();
        foreach (var node in Cluster.LiveNodes)
        {
            copies.Add(await client.Http.ReadAllAsync(new Uri(Cluster.Urls[node], "/wake/pool").ToString(), Ct));
        }

        Assert.All(copies, copy => Assert.Equal(copies[0], copy));
        using var events = JsonDocument.Parse(copies[0]);
        var wakes = events.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("subscription_id").GetString() == "fo-pull")
            .Select(e => (Generation: e.GetProperty("generation").GetInt64(), Stream: e.GetProperty("stream").GetString()!))
            .ToList();
        Assert.True(wakes.Count >= acked.Count, $"{wakes.Count} wake events for {acked.Count} acked wakes");
        Assert.Equal(wakes.Count, wakes.Distinct().Count());
        Assert.True(wakes.Zip(wakes.Skip(1)).All(p => p.First.Generation <= p.Second.Generation), "wake generations went back");
        Log($"wake stream: {wakes.Count} events, generations 1..{wakes.Max(w => w.Generation)}");
    }

    private async Task CreateStreamsAsync(SubscriptionClient client)
    {
        foreach (var stream in Streams)
        {
            using var created = await client.Http.CreateAsync(new Uri(Cluster.Urls[0], "/" + stream).ToString(), "application/json", null, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

    /// <summary>Appends messages from..from+PerPhase-1 to each stream, paced, through every live node in turn.</summary>
    private static async Task AppendPhaseAsync(SubscriptionClient client, long from)
    {
        for (var n = from; n < from + PerPhase; n++)
        {
            await Task.WhenAll(Streams.Select(s => client.AppendAsync("/" + s, "producer-" + s.Replace('/', '-'), n, Ct)));
            await Task.Delay(25, Ct);
        }
    }

    private static async Task LoadJwksAsync(SubscriptionClient client, Uri node, ConcurrentDictionary<string, byte[]> keys)
    {
        using var jwks = JsonDocument.Parse(await client.Http.GetStringAsync(new Uri(node, "/__ds/jwks.json"), Ct));
        foreach (var key in jwks.RootElement.GetProperty("keys").EnumerateArray())
        {
            var x = key.GetProperty("x").GetString()!.Replace('-', '+').Replace('_', '/');
            keys[key.GetProperty("kid").GetString()!] = Convert.FromBase64String(x + new string('=', (4 - (x.Length % 4)) % 4));
        }
    }

    private static async Task WebhookWorkerAsync(SubscriptionClient client, WebhookReceiver receiver, ConcurrentDictionary<(string, long), int> seen,
        ConcurrentBag<(string, string, string)> acked, CancellationToken cancellationToken)
    {
        await foreach (var notification in receiver.Received.Reader.ReadAllAsync(cancellationToken))
        {
            var body = notification.Body;
            var acks = new List<object>();
            foreach (var stream in body.GetProperty("streams").EnumerateArray())
            {
                var path = stream.GetProperty("path").GetString()!;
                var tail = stream.GetProperty("tail_offset").GetString()!;
                foreach (var n in await client.ReadAsync("/" + path, stream.GetProperty("acked_offset").GetString()!, tail, cancellationToken))
                {
                    seen.AddOrUpdate((path, n), 1, (_, c) => c + 1);
                }

                acks.Add(new { stream = path, offset = tail });
            }

            var ack = JsonSerializer.Serialize(new { wake_id = body.GetProperty("wake_id").GetString(), generation = body.GetProperty("generation").GetInt64(), acks, done = true });
            var token = body.GetProperty("callback_token").GetString()!;
            var url = new Uri(body.GetProperty("callback_url").GetString()!);
            for (var attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    using var response = await client.Http.SendAsync(SubscriptionClient.Json(HttpMethod.Post, url, ack, token), cancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        acked.Add((body.GetProperty("wake_id").GetString()!, token, ack));
                        break;
                    }

                    if (response.StatusCode == HttpStatusCode.Conflict)
                    {
                        // Fenced: the lease ended during the failover; a new wake follows.
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private async Task WaitUntilAckedAsync(SubscriptionClient client, Uri node, string id, long count)
    {
        var expected = Ursula.Server.Streams.StreamOffset.Format(count);
        await WaitUntilAsync(async () =>
        {
            var (response, _) = await client.SendAsync(n => new HttpRequestMessage(HttpMethod.Get, new Uri(n, $"/__ds/subscriptions/{id}")), Ct);
            using (response)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
                var links = body.RootElement.GetProperty("streams").EnumerateArray().ToList();
                return Streams.All(s => links.Any(l => l.GetProperty("path").GetString() == s && l.GetProperty("acked_offset").GetString() == expected));
            }
        }, TimeSpan.FromSeconds(90), $"{id} acked every message");
    }

    private async Task AssertEverythingSeenOnceAckedAsync(SubscriptionClient client, ConcurrentDictionary<(string, long), int> seen,
        ConcurrentBag<(string WakeId, string Token, string Body)> acked, string endpoint)
    {
        var missing = Streams.SelectMany(s => Enumerable.Range(0, 2 * PerPhase).Select(n => (s, (long)n))).Where(k => !seen.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged messages never reached the worker: {string.Join(", ", missing.Take(10))}");
        var twice = acked.GroupBy(a => a.WakeId).Where(g => g.Count() > 1).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} wakes were acked more than once");

        // Replay every ack that was applied: each must be fenced now, on every live node.
        var replayed = 0;
        foreach (var (_, token, body) in acked)
        {
            using var doc = JsonDocument.Parse(body);
            foreach (var node in Cluster.LiveNodes)
            {
                var id = endpoint == "callback" ? "fo-webhook" : "fo-pull";
                using var response = await client.Http.SendAsync(SubscriptionClient.Json(HttpMethod.Post, new Uri(Cluster.Urls[node], $"/__ds/subscriptions/{id}/{endpoint}"), body, token), Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"a replayed {endpoint} via node {node} answered {(int)response.StatusCode}");
                Assert.Contains("FENCED", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
                replayed++;
            }
        }

        var redelivered = seen.Values.Count(c => c > 1);
        Log($"{seen.Count} messages seen, {redelivered} of them more than once (at-least-once after the failover); {acked.Count} wakes acked; {replayed} replayed acks fenced");
    }
}
