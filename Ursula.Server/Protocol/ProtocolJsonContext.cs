// Source-generated JSON for everything the protocol layer writes: no reflection on hot paths.
using System.Text.Json.Serialization;

namespace Ursula.Server.Protocol;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(SseControl))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
