// A webhook receiver for tests: a real HTTP listener on 127.0.0.1 that checks every request's
// Webhook-Signature against the server's JWKS (with BouncyCastle's verifier) and hands the
// notifications on; it answers 200 with the body the test chose ({} or {"done": true}).
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Tests.Subscriptions;

public sealed partial class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private volatile string answer;
    private readonly Func<string, byte[]?> publicKeyOf;

    /// <param name="publicKeyOf">The Ed25519 public key the JWKS publishes under a kid, or null.</param>
    /// <param name="answer">The JSON the receiver answers with.</param>
    public WebhookReceiver(Func<string, byte[]?> publicKeyOf, string answer = "{}")
    {
        this.publicKeyOf = publicKeyOf;
        this.answer = answer;
        var port = Infrastructure.FreePort.Next();
        Url = $"http://127.0.0.1:{port}/hook";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        loop = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    public Channel<Notification> Received { get; } = Channel.CreateUnbounded<Notification>();

    public int BadSignatures;

    /// <summary>The status the receiver answers with (a failing receiver: 500).</summary>
    public volatile int Status = 200;

    /// <summary>A Location header to answer with (a redirecting receiver).</summary>
    public volatile string? Location;

    /// <summary>Changes the JSON the receiver answers with from the next request on.</summary>
    public void Answer(string json) => answer = json;

    public sealed record Notification(JsonElement Body, string Raw);

    [GeneratedRegex(@"^t=(\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)$")]
    private static partial Regex SignatureHeader();

    private async Task AcceptAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var raw = await reader.ReadToEndAsync();
            if (!Verify(raw, context.Request.Headers["Webhook-Signature"]))
            {
                Interlocked.Increment(ref BadSignatures);
            }

            var body = JsonDocument.Parse(raw).RootElement.Clone();
            Received.Writer.TryWrite(new Notification(body, raw));
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.StatusCode = Status;
            if (Location is { } location)
            {
                context.Response.RedirectLocation = location;
            }

            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private bool Verify(string raw, string? header)
    {
        var match = SignatureHeader().Match(header ?? string.Empty);
        if (!match.Success || publicKeyOf(match.Groups[2].Value) is not { } key
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) > 300)
        {
            return false;
        }

        var signature = match.Groups[3].Value.Replace('-', '+').Replace('_', '/');
        signature += new string('=', (4 - (signature.Length % 4)) % 4);
        return WebhookSigningKey.Verify(key, Encoding.UTF8.GetBytes($"{match.Groups[1].Value}.{raw}"), Convert.FromBase64String(signature));
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }
}
