namespace Ursula.Bench.Catchup;

/// <summary>
/// The catch-up stream's content. Every pre-fill append carries the same payload-sized pattern
/// (the last, shorter one a prefix of it and sent after all others), so whatever order the server
/// applied concurrent appends in, the byte at stream position p is pattern[p % payload]. Readers
/// verify content as well as length at memcmp speed.
/// </summary>
public static class FillPattern
{
    public static byte[] Create(int payloadSize)
    {
        var pattern = new byte[payloadSize];
        for (var i = 0; i < pattern.Length; i++)
        {
            // 251 is prime, so the pattern does not line up with power-of-two chunk boundaries.
            pattern[i] = (byte)((i * 7 + 13) % 251);
        }

        return pattern;
    }

    /// <summary>True if <paramref name="chunk"/> is what the stream should hold at <paramref name="position"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> chunk, long position, byte[] pattern)
    {
        var offset = (int)(position % pattern.Length);
        while (!chunk.IsEmpty)
        {
            var length = Math.Min(chunk.Length, pattern.Length - offset);
            if (!chunk[..length].SequenceEqual(pattern.AsSpan(offset, length)))
            {
                return false;
            }

            chunk = chunk[length..];
            offset = 0;
        }

        return true;
    }
}
