using System.Text.Json.Serialization;
using Ursula.Server.State;

namespace Ursula.Server.Replication.Forwarding;

/// <summary>What the leader reports back for one forwarded command: its outcome, or why it was not applied.</summary>
public sealed record ForwardedResult(ApplyOutcome? Outcome, string? Unavailable);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ForwardedResult[]))]
internal sealed partial class ForwardingJsonContext : JsonSerializerContext;
