namespace Ursula.Bench.Append;

/// <summary>
/// What every append writer shares: client, target streams, payload and timing. With
/// <paramref name="RawRequests"/> (one encoded POST per stream), writers send over their own
/// <see cref="Http.RawHttpConnection"/> instead of the HttpClient.
/// </summary>
public sealed record AppendPlan(
    HttpClient Client,
    IReadOnlyList<string> StreamUrls,
    ReadOnlyMemory<byte> Payload,
    string ContentType,
    string? ProducerIdPrefix,
    RatePacer? Pacer,
    RunClock Clock,
    IReadOnlyList<byte[]>? RawRequests = null);
