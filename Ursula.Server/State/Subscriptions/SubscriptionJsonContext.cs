using System.Text.Json.Serialization;

namespace Ursula.Server.State.Subscriptions;

/// <summary>How a subscription is kept in PostgreSQL (and in snapshots): its whole state as JSON.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Subscription))]
internal sealed partial class SubscriptionJsonContext : JsonSerializerContext;
