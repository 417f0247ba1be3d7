// A least-recently-used map bounded by the bytes its values take, safe for concurrent readers.
namespace Ursula.Archive.Reading;

internal sealed class LruByteCache<TKey, TValue>(long capacityBytes)
    where TKey : notnull
{
    private readonly Lock gate = new();
    private readonly Dictionary<TKey, LinkedListNode<Item>> map = [];
    private readonly LinkedList<Item> order = new();
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

    public bool TryGet(TKey key, out TValue value)
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

        value = default!;
        return false;
    }

    /// <summary>Whether the key is cached, without counting as a use.</summary>
    public bool Contains(TKey key)
    {
        lock (gate)
        {
            return map.ContainsKey(key);
        }
    }

    public void Add(TKey key, TValue value, long size)
    {
        if (size > capacityBytes)
        {
            return;
        }

        lock (gate)
        {
            if (map.Remove(key, out var existing))
            {
                order.Remove(existing);
                bytes -= existing.Value.Size;
            }

            map[key] = order.AddFirst(new Item(key, value, size));
            bytes += size;
            while (bytes > capacityBytes && order.Last is { } last)
            {
                order.RemoveLast();
                map.Remove(last.Value.Key);
                bytes -= last.Value.Size;
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
                bytes -= node.Value.Size;
            }
        }
    }

    private sealed record Item(TKey Key, TValue Value, long Size);
}
