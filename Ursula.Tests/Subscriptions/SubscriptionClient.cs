// What the failover tests do as clients: exactly-once appends of numbered JSON messages (an
// idempotent producer, retried through any live node until acknowledged), reading the messages a
// wake names (from acked_offset to tail_offset), and requests that go to whichever node answers.
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ursula.Server.Streams;

namespace Ursula.Tests.Subscriptions;

public sealed class SubscriptionClient(IReadOnlyList<Uri> nodes, Func<IReadOnlyList<int>> liveNodes) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public HttpClient Http => http;

    /// <summary>Sends a request to live nodes in turn until one answers other than 503 (or a connection failure).</summary>
    public async Task<(HttpResponseMessage Response, int Node)> SendAsync(Func<Uri, HttpRequestMessage> request, CancellationToken cancellationToken, int? preferred = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var live = liveNodes();
            var node = preferred is { } p && live.Contains(p) && attempt % 2 == 0 ? p : live[attempt % live.Count];
            try
            {
                var response = await http.SendAsync(request(nodes[node]), cancellationToken);
                if ((int)response.StatusCode != 503 || attempt >= 200)
                {
                    return (response, node);
                }

                response.Dispose();
            }
            catch (Exception e) when ((e is HttpRequestException || e is TaskCanceledException) && !cancellationToken.IsCancellationRequested && attempt < 200)
            {
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Appends {"n": n} with producer sequence n, retrying until a node acknowledges it.</summary>
    public async Task AppendAsync(string path, string producer, long n, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (response, _) = await SendAsync(node =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node, path)) { Content = new StringContent($"{{\"n\":{n}}}", Encoding.UTF8) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("Producer-Id", producer);
                request.Headers.Add("Producer-Epoch", "0");
                request.Headers.Add("Producer-Seq", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return request;
            }, cancellationToken);
            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                Assert.Fail($"append {n} to {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }
    }

    /// <summary>The numbers of the messages after <paramref name="acked"/> up to <paramref name="tail"/> of a JSON stream.</summary>
    public async Task<List<long>> ReadAsync(string path, string acked, string tail, CancellationToken cancellationToken)
    {
        StreamOffset.TryParse(acked, out var from);
        StreamOffset.TryParse(tail, out var to);
        var numbers = new List<long>();
        var offset = acked;
        while (from.Position + numbers.Count < to.Position)
        {
            var (response, _) = await SendAsync(node => new HttpRequestMessage(HttpMethod.Get, new Uri(node, $"{path}?offset={offset}")), cancellationToken);
            using (response)
            {
                response.EnsureSuccessStatusCode();
                using var messages = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                foreach (var message in messages.RootElement.EnumerateArray())
                {
                    if (from.Position + numbers.Count < to.Position)
                    {
                        numbers.Add(message.GetProperty("n").GetInt64());
                    }
                }

                offset = response.Headers.GetValues("Stream-Next-Offset").Single();
            }
        }

        return numbers;
    }

    public static HttpRequestMessage Json(HttpMethod method, Uri url, string json, string? bearer = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    public void Dispose() => http.Dispose();
}
