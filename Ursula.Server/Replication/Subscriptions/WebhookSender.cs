// Sends one signed webhook request. The connection goes only to an address the policy allows for
// that URL, resolved at connect time (a name rebound to a private address since the subscription
// was created is refused then); no proxy, and redirects are not followed: a 3xx is a failed
// attempt like any other non-2xx answer.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Ursula.Server.State;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.Replication.Subscriptions;

public sealed class WebhookSender : IDisposable
{
    private const int MaxAnswerBytes = 64 * 1024;
    private static readonly HttpRequestOptionsKey<string> UrlKey = new("ursula-webhook-url");
    private readonly StreamCatalog catalog;
    private readonly TimeProvider time;
    private readonly SubscriptionOptions options;
    private readonly HttpClient http;

    public WebhookSender(StreamCatalog catalog, WebhookAddressPolicy policy, TimeProvider time, IOptions<SubscriptionOptions> options)
    {
        this.catalog = catalog;
        this.time = time;
        this.options = options.Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, ct) => ConnectAsync(policy, context, ct),
        };
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public readonly record struct Result(bool Done, string? Error);

    public async Task<Result> SendAsync(Subscription subscription, SubscriptionWake wake, CancellationToken cancellationToken)
    {
        var key = catalog.SigningKey ?? throw new InvalidOperationException("No signing key yet.");
        var url = subscription.Config.WebhookUrl!;
        var token = WakeToken.Create(key.TokenKey, subscription.Root, subscription.Id, WakeToken.Callback, wake.Generation, wake.WakeId);
        var body = SubscriptionJson.Notification(subscription, wake, token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Webhook-Signature", key.SignatureHeader(time.GetUtcNow().ToUnixTimeSeconds(), body));
        request.Options.Set(UrlKey, url);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.WebhookTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new Result(false, $"answered {(int)response.StatusCode}");
            }

            return new Result(await ReadDoneAsync(response, limit.Token), null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new Result(false, e is OperationCanceledException ? "timed out" : e.Message);
        }
    }

    /// <summary>True when the answer is a JSON object with "done": true.</summary>
    private static async Task<bool> ReadDoneAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxAnswerBytes];
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async ValueTask<Stream> ConnectAsync(WebhookAddressPolicy policy, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var url = context.InitialRequestMessage.Options.TryGetValue(UrlKey, out var u) ? u : context.InitialRequestMessage.RequestUri!.ToString();
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => policy.MayConnect(url, a)).ToList();
        if (allowed.Count == 0)
        {
            throw new HttpRequestException($"WEBHOOK_URL_REJECTED: {host} resolves to no address a webhook may reach");
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw new HttpRequestException($"Could not connect to {host}", last);
    }

    public void Dispose() => http.Dispose();
}
