namespace Ursula.Bench.Fanout;

/// <summary>
/// Which message sequence numbers one subscriber has received (a growable bitset), plus the
/// number of duplicates. Written by the subscriber's own loop only; Count is safe to poll.
/// </summary>
public sealed class ReceivedSet
{
    private ulong[] _bits = new ulong[64];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public long Duplicates { get; private set; }

    /// <summary>Marks a sequence as received; false (and a duplicate counted) if it already was.</summary>
    public bool Add(long sequence)
    {
        if (sequence < 0 || sequence > int.MaxValue)
        {
            return false;
        }

        var word = (int)(sequence >> 6);
        if (word >= _bits.Length)
        {
            Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        }

        var mask = 1UL << (int)(sequence & 63);
        if ((_bits[word] & mask) != 0)
        {
            Duplicates++;
            return false;
        }

        _bits[word] |= mask;
        Volatile.Write(ref _count, _count + 1);
        return true;
    }

    public bool Contains(long sequence)
    {
        var word = sequence >> 6;
        return sequence >= 0 && word < _bits.Length && (_bits[word] & (1UL << (int)(sequence & 63))) != 0;
    }

    /// <summary>How many of the given sequences were received.</summary>
    public int CountOf(IReadOnlyList<long> sequences)
    {
        var count = 0;
        foreach (var sequence in sequences)
        {
            if (Contains(sequence))
            {
                count++;
            }
        }

        return count;
    }
}
