// A least-recently-used map bounded by the bytes of its values, safe for concurrent readers.
namespace Ursula.Archive.Reading;

internal sealed class LruByteCache<TKey>(long capacityBytes)
    where TKey : notnull
{
    private readonly Lock gate = new();
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, byte[] Value)>> map = [];
    private readonly LinkedList<(TKey Key, byte[] Value)> order = new();
    private long bytes;

    public long Bytes
    {
        get
        {
            lock (gate)
            {
                return bytes;
            }
        }
    }

    public bool TryGet(TKey key, out byte[] value)
    {
        lock (gate)
        {
            if (map.TryGetValue(key, out var node))
            {
                order.Remove(node);
                order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = [];
        return false;
    }

    public void Add(TKey key, byte[] value)
    {
        if (value.Length > capacityBytes)
        {
            return;
        }

        lock (gate)
        {
            if (map.Remove(key, out var existing))
            {
                order.Remove(existing);
                bytes -= existing.Value.Value.Length;
            }

            map[key] = order.AddFirst((key, value));
            bytes += value.Length;
            while (bytes > capacityBytes && order.Last is { } last)
            {
                order.RemoveLast();
                map.Remove(last.Value.Key);
                bytes -= last.Value.Value.Length;
            }
        }
    }

    public void RemoveWhere(Func<TKey, bool> predicate)
    {
        lock (gate)
        {
            foreach (var key in map.Keys.Where(predicate).ToList())
            {
                var node = map[key];
                map.Remove(key);
                order.Remove(node);
                bytes -= node.Value.Value.Length;
            }
        }
    }
}
