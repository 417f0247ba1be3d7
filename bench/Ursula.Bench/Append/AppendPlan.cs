namespace Ursula.Bench.Append;

/// <summary>What every append writer shares: client, target streams, payload and timing.</summary>
public sealed record AppendPlan(
    HttpClient Client,
    IReadOnlyList<string> StreamUrls,
    ReadOnlyMemory<byte> Payload,
    string ContentType,
    string? ProducerIdPrefix,
    RatePacer? Pacer,
    RunClock Clock);
