// Parsing the JSON bodies of the subscription APIs into configurations and commands; every
// problem is a short reason for a 400.
using System.Text.Json;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.Protocol;

public static class SubscriptionRequests
{
    public static SubscriptionConfig? ParseConfig(JsonElement body, out string? error)
    {
        error = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = "the body must be a JSON object";
            return null;
        }

        var type = String(body, "type") switch
        {
            "webhook" => SubscriptionType.Webhook,
            "pull-wake" => (SubscriptionType?)SubscriptionType.PullWake,
            _ => null,
        };
        if (type is null)
        {
            error = "type must be \"webhook\" or \"pull-wake\"";
            return null;
        }

        string? url = null;
        if (body.TryGetProperty("webhook", out var webhook) && webhook.ValueKind != JsonValueKind.Null)
        {
            url = webhook.ValueKind == JsonValueKind.Object ? String(webhook, "url") : null;
            if (url is null)
            {
                error = "webhook must be an object with a url";
                return null;
            }
        }

        var lease = SubscriptionConfig.DefaultLeaseTtlMs;
        if (body.TryGetProperty("lease_ttl_ms", out var ttl) && ttl.ValueKind != JsonValueKind.Null && (ttl.ValueKind != JsonValueKind.Number || !ttl.TryGetInt64(out lease)))
        {
            error = "lease_ttl_ms must be a whole number of milliseconds";
            return null;
        }

        var streams = Strings(body, "streams", out error);
        if (error is not null)
        {
            return null;
        }

        if (!IsStringOrAbsent(body, "pattern") || !IsStringOrAbsent(body, "wake_stream") || !IsStringOrAbsent(body, "description"))
        {
            error = "pattern, wake_stream and description must be strings";
            return null;
        }

        return new SubscriptionConfig(type.Value, String(body, "pattern"), SubscriptionConfig.Normalize(streams), url, String(body, "wake_stream"), lease, String(body, "description"));
    }

    public static List<string> Strings(JsonElement body, string name, out string? error)
    {
        error = null;
        var list = new List<string>();
        if (!body.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return list;
        }

        if (array.ValueKind != JsonValueKind.Array || array.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            error = $"{name} must be an array of stream paths";
            return list;
        }

        list.AddRange(array.EnumerateArray().Select(e => e.GetString()!));
        return list;
    }

    /// <summary>The wake_id, generation, acks and done of an ack, callback or release.</summary>
    public static (string? WakeId, long Generation, List<StreamAck> Acks, bool Done, string? Error) ParseAck(JsonElement body)
    {
        var acks = new List<StreamAck>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, 0, acks, false, "the body must be a JSON object");
        }

        var wakeId = String(body, "wake_id");
        if (wakeId is null || !body.TryGetProperty("generation", out var g) || g.ValueKind != JsonValueKind.Number || !g.TryGetInt64(out var generation))
        {
            return (null, 0, acks, false, "wake_id and generation are required");
        }

        if (body.TryGetProperty("acks", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                return (null, 0, acks, false, "acks must be an array");
            }

            foreach (var ack in list.EnumerateArray())
            {
                if (ack.ValueKind != JsonValueKind.Object || String(ack, "stream") is not { } stream
                    || !SubscriptionWorkerCommand.TryParsePosition(String(ack, "offset"), out var position))
                {
                    return (null, 0, acks, false, "each ack is {\"stream\": path, \"offset\": an offset this server returned}");
                }

                acks.Add(new StreamAck(stream, position));
            }
        }

        var done = body.TryGetProperty("done", out var d) && d.ValueKind == JsonValueKind.True;
        return (wakeId, generation, acks, done, null);
    }

    public static string? String(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsStringOrAbsent(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
}
