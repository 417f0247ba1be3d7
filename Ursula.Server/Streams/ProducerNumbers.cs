namespace Ursula.Server.Streams;

/// <summary>Producer epochs and sequence numbers: 0..2^53-1, so that they survive a round trip through JavaScript.</summary>
public static class ProducerNumbers
{
    public const long Max = 9_007_199_254_740_991;

    public static bool IsValid(long value) => value is >= 0 and <= Max;
}
