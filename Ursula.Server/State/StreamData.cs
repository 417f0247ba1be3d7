// The in-memory hot tail of one stream: the most recent records in position order. Everything at
// or after FirstPosition is here; older records live in PostgreSQL. Apply appends; the node-wide
// HotTailBudget evicts from the head, and only records PostgreSQL already holds.
namespace Ursula.Server.State;

public sealed class StreamData
{
    private readonly Lock gate = new();
    private DataRecord[] items = new DataRecord[4];
    private int head;
    private int count;
    private long firstPosition;

    public StreamData(long firstPosition)
    {
        this.firstPosition = firstPosition;
    }

    public long FirstPosition
    {
        get
        {
            lock (gate)
            {
                return firstPosition;
            }
        }
    }

    public void Append(DataRecord record)
    {
        lock (gate)
        {
            if (count == items.Length)
            {
                var grown = new DataRecord[items.Length * 2];
                for (var i = 0; i < count; i++)
                {
                    grown[i] = items[(head + i) % items.Length];
                }

                items = grown;
                head = 0;
            }

            if (count == 0)
            {
                firstPosition = record.Start;
            }

            items[(head + count) % items.Length] = record;
            count++;
        }
    }

    /// <summary>Drops the oldest record if it is the expected one and PostgreSQL has it.</summary>
    public bool TryEvict(DataRecord expected, long flushedIndex)
    {
        lock (gate)
        {
            if (count == 0 || !ReferenceEquals(items[head], expected) || expected.LogIndex > flushedIndex)
            {
                return false;
            }

            items[head] = null!;
            head = (head + 1) % items.Length;
            count--;
            firstPosition = expected.End;
            return true;
        }
    }

    /// <summary>
    /// Copies the records overlapping [from, to) into <paramref name="output"/>, if memory covers
    /// <paramref name="from"/>; returns false when the caller must read older records elsewhere first.
    /// </summary>
    public bool TryCollect(long from, long to, long maxUnits, List<DataRecord> output)
    {
        lock (gate)
        {
            if (from < firstPosition)
            {
                return false;
            }

            var index = FindFirstEndingAfter(from);
            long units = 0;
            for (var i = index; i < count && units < maxUnits; i++)
            {
                var record = items[(head + i) % items.Length];
                if (record.Start >= to)
                {
                    break;
                }

                output.Add(record);
                units += record.Payload.Length;
            }

            return true;
        }
    }

    private int FindFirstEndingAfter(long position)
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (items[(head + mid) % items.Length].End <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
