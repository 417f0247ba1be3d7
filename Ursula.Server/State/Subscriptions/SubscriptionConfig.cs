// A subscription's configuration as the client gave it, normalised: the explicit streams sorted
// and without duplicates, absent fields null, the lease at its default when not given. Its hash is
// SHA-256 over a canonical JSON encoding of every field (fixed order, no whitespace), so that a
// PUT that differs only in the order or repetition of streams[] re-confirms, and any other
// difference conflicts.
using System.Security.Cryptography;
using System.Text.Json;
using Ursula.Server.State.Commands;

namespace Ursula.Server.State.Subscriptions;

public sealed record SubscriptionConfig(
    SubscriptionType Type,
    string? Pattern,
    IReadOnlyList<string> Streams,
    string? WebhookUrl,
    string? WakeStream,
    long LeaseTtlMs,
    string? Description)
{
    public const long DefaultLeaseTtlMs = 30_000;
    public const long MinLeaseTtlMs = 1_000;
    public const long MaxLeaseTtlMs = 600_000;

    public static IReadOnlyList<string> Normalize(IEnumerable<string> streams) =>
        streams.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public static string TypeName(SubscriptionType type) => type == SubscriptionType.Webhook ? "webhook" : "pull-wake";

    /// <summary>The canonical encoding the hash is taken over.</summary>
    public byte[] Canonical()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", TypeName(Type));
            json.WriteString("pattern", Pattern);
            json.WriteStartArray("streams");
            foreach (var stream in Streams)
            {
                json.WriteStringValue(stream);
            }

            json.WriteEndArray();
            json.WriteString("webhook_url", WebhookUrl);
            json.WriteString("wake_stream", WakeStream);
            json.WriteNumber("lease_ttl_ms", LeaseTtlMs);
            json.WriteString("description", Description);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="Canonical"/>.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Canonical()));

    internal void Write(ref CommandWriter w)
    {
        w.Byte((byte)Type);
        w.String(Pattern);
        w.Int32(Streams.Count);
        foreach (var stream in Streams)
        {
            w.String(stream);
        }

        w.String(WebhookUrl);
        w.String(WakeStream);
        w.Int64(LeaseTtlMs);
        w.String(Description);
    }

    internal int SizeOf() =>
        1 + CommandWriter.SizeOf(Pattern) + 4 + Streams.Sum(CommandWriter.SizeOf) + CommandWriter.SizeOf(WebhookUrl)
        + CommandWriter.SizeOf(WakeStream) + 8 + CommandWriter.SizeOf(Description);

    internal static SubscriptionConfig Read(ref CommandReader r)
    {
        var type = r.Byte() switch
        {
            1 => SubscriptionType.Webhook,
            2 => SubscriptionType.PullWake,
            var other => throw new InvalidDataException($"Unknown subscription type {other}."),
        };
        var pattern = r.String();
        var count = r.Int32();
        if (count < 0 || count > r.Remaining / 4)
        {
            throw new InvalidDataException($"A count of {count} streams does not fit in the {r.Remaining} bytes left.");
        }

        var streams = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            streams.Add(r.Path());
        }

        return new SubscriptionConfig(type, pattern, streams, r.String(), r.String(), r.Int64(), r.String());
    }
}

public enum SubscriptionType : byte
{
    Webhook = 1,
    PullWake = 2,
}
