// A pull-wake worker, as docs/subscriptions.md shows it: it tails the subscription's wake stream
// (long-poll), and whenever a wake event arrives (or the poll times out) it claims the
// subscription; a claim names the streams with pending work and their tails, the worker reads
// each from its acked offset to its tail, processes the messages and acks them with done: true.
// 409 ALREADY_CLAIMED means another worker holds the lease; 204 means nothing is pending.
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Ursula.Tests.Subscriptions;

public sealed class PullWakeWorker(SubscriptionClient client, string subscription, string wakeStream, string name)
{
    public int Claims;
    public int Busy;
    public int Events;

    public async Task RunAsync(ConcurrentDictionary<(string, long), int> seen, ConcurrentBag<(string WakeId, string Token, string Body)> acked, CancellationToken cancellationToken)
    {
        var offset = "-1";
        while (!cancellationToken.IsCancellationRequested)
        {
            // 1. Wait for a wake event (or the long-poll timeout).
            var live = offset == "-1" ? string.Empty : "&live=long-poll";
            var (poll, _) = await client.SendAsync(node => new HttpRequestMessage(HttpMethod.Get, new Uri(node, $"{wakeStream}?offset={offset}{live}")), cancellationToken);
            using (poll)
            {
                if (poll.StatusCode == HttpStatusCode.OK)
                {
                    using var events = JsonDocument.Parse(await poll.Content.ReadAsStringAsync(cancellationToken));
                    Interlocked.Add(ref Events, events.RootElement.EnumerateArray().Count(e => e.GetProperty("subscription_id").GetString() == subscription));
                }

                offset = poll.Headers.TryGetValues("Stream-Next-Offset", out var next) ? next.Single() : offset;
            }

            // 2. Claim and work until nothing is pending.
            while (!cancellationToken.IsCancellationRequested && await ClaimAndProcessAsync(seen, acked, cancellationToken))
            {
            }
        }
    }

    /// <summary>One claim; true when it got work (so the worker claims again at once).</summary>
    private async Task<bool> ClaimAndProcessAsync(ConcurrentDictionary<(string, long), int> seen, ConcurrentBag<(string, string, string)> acked, CancellationToken cancellationToken)
    {
        var (claim, node) = await client.SendAsync(n => SubscriptionClient.Json(HttpMethod.Post, new Uri(n, $"/__ds/subscriptions/{subscription}/claim"), JsonSerializer.Serialize(new { worker = name })), cancellationToken);
        using (claim)
        {
            if (claim.StatusCode == HttpStatusCode.Conflict)
            {
                Interlocked.Increment(ref Busy);
                await Task.Delay(200, cancellationToken);
                return false;
            }

            if (claim.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            Interlocked.Increment(ref Claims);
            using var body = JsonDocument.Parse(await claim.Content.ReadAsStringAsync(cancellationToken));
            var wake = body.RootElement;
            var acks = new List<object>();
            foreach (var stream in wake.GetProperty("streams").EnumerateArray())
            {
                var path = stream.GetProperty("path").GetString()!;
                var tail = stream.GetProperty("tail_offset").GetString()!;
                foreach (var n in await client.ReadAsync("/" + path, stream.GetProperty("acked_offset").GetString()!, tail, cancellationToken))
                {
                    seen.AddOrUpdate((path, n), 1, (_, c) => c + 1);
                }

                acks.Add(new { stream = path, offset = tail });
            }

            // 3. Ack what was processed, ending the wake; the claim token authorises it.
            var wakeId = wake.GetProperty("wake_id").GetString()!;
            var token = wake.GetProperty("token").GetString()!;
            var ack = JsonSerializer.Serialize(new { wake_id = wakeId, generation = wake.GetProperty("generation").GetInt64(), acks, done = true });
            var (response, _) = await client.SendAsync(n => SubscriptionClient.Json(HttpMethod.Post, new Uri(n, $"/__ds/subscriptions/{subscription}/ack"), ack, token), cancellationToken, node);
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acked.Add((wakeId, token, ack));
                }

                // 409 FENCED: the lease ended (a failover took longer than it); the work is woken again.
                return true;
            }
        }
    }
}
