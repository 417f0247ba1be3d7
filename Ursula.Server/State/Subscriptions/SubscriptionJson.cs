// The JSON bodies of the subscription APIs that apply itself answers (claims, acks, errors) and
// the ones every node renders from state (a subscription, a wake notification), in the
// protocol's shapes (sections 6 and 7): root-relative paths, offsets in the server's format.
using System.Text;
using System.Text.Json;
using Ursula.Server.Streams;

namespace Ursula.Server.State.Subscriptions;

public static class SubscriptionJson
{
    public static string Error(string code, string message, Action<Utf8JsonWriter>? extra = null) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("code", code);
        json.WriteString("message", message);
        extra?.Invoke(json);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    public static string AckResult(bool nextWake) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteBoolean("ok", true);
        json.WriteBoolean("next_wake", nextWake);
        json.WriteEndObject();
    });

    public static string Claim(SubscriptionWake wake, string token, long leaseTtlMs) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("wake_id", wake.WakeId);
        json.WriteNumber("generation", wake.Generation);
        json.WriteString("token", token);
        WriteWakeStreams(json, wake);
        json.WriteNumber("lease_ttl_ms", leaseTtlMs);
        json.WriteEndObject();
    });

    /// <summary>The body of a webhook request for the subscription's current wake.</summary>
    public static byte[] Notification(Subscription subscription, SubscriptionWake wake, string callbackToken) => Encoding.UTF8.GetBytes(Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("subscription_id", subscription.Id);
        json.WriteString("wake_id", wake.WakeId);
        json.WriteNumber("generation", wake.Generation);
        WriteWakeStreams(json, wake);
        json.WriteString("callback_url", $"{subscription.BaseUrl}{subscription.Root}/{StreamPath.SubscriptionSegment}/subscriptions/{Uri.EscapeDataString(subscription.Id)}/callback");
        json.WriteString("callback_token", callbackToken);
        json.WriteEndObject();
    }));

    /// <summary>GET (and PUT) of a subscription; <paramref name="baseUrl"/> is scheme://host of the request.</summary>
    public static string Describe(Subscription subscription, WebhookSigningKey? key, string baseUrl) => Write(json =>
    {
        var config = subscription.Config;
        json.WriteStartObject();
        json.WriteString("id", subscription.Id);
        json.WriteString("subscription_id", subscription.Id);
        json.WriteString("type", SubscriptionConfig.TypeName(config.Type));
        json.WriteString("pattern", config.Pattern);
        json.WriteStartArray("streams");
        foreach (var (path, link) in subscription.Links)
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WriteString("link_type", link.LinkType);
            json.WriteString("acked_offset", StreamOffset.Format(link.Acked));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (config.WebhookUrl is { } url)
        {
            json.WriteStartObject("webhook");
            json.WriteString("url", url);
            if (key is not null)
            {
                json.WriteStartObject("signing");
                json.WriteString("alg", "ed25519");
                json.WriteString("kid", key.Kid);
                json.WriteString("jwks_url", $"{baseUrl}{subscription.Root}/{StreamPath.SubscriptionSegment}/jwks.json");
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("webhook");
        }

        json.WriteString("wake_stream", config.WakeStream);
        json.WriteNumber("lease_ttl_ms", config.LeaseTtlMs);
        json.WriteString("created_at", DateTimeOffset.FromUnixTimeMilliseconds(subscription.CreatedAtMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("status", subscription.Status);
        json.WriteNumber("generation", subscription.Generation);
        json.WriteString("description", config.Description);
        json.WriteEndObject();
    });

    /// <summary>The JWK Set of the signing key (empty before the first subscription made one).</summary>
    public static string Jwks(WebhookSigningKey? key) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("keys");
        if (key is not null)
        {
            json.WriteStartObject();
            json.WriteString("kty", "OKP");
            json.WriteString("crv", "Ed25519");
            json.WriteString("kid", key.Kid);
            json.WriteString("use", "sig");
            json.WriteString("alg", "EdDSA");
            json.WriteString("x", key.X);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>A wake event as written to a pull-wake subscription's wake stream.</summary>
    public static void WakeEvent(Utf8JsonWriter json, string subscriptionId, string stream, long generation, long ts)
    {
        json.WriteStartObject();
        json.WriteString("type", "wake");
        json.WriteString("subscription_id", subscriptionId);
        json.WriteString("stream", stream);
        json.WriteNumber("generation", generation);
        json.WriteNumber("ts", ts);
        json.WriteEndObject();
    }

    private static void WriteWakeStreams(Utf8JsonWriter json, SubscriptionWake wake)
    {
        json.WriteStartArray("streams");
        foreach (var stream in wake.Streams)
        {
            json.WriteStartObject();
            json.WriteString("path", stream.Path);
            json.WriteString("link_type", stream.LinkType);
            json.WriteString("acked_offset", StreamOffset.Format(stream.Acked));
            json.WriteString("tail_offset", StreamOffset.Format(stream.Tail));
            json.WriteBoolean("has_pending", stream.Tail > stream.Acked);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
