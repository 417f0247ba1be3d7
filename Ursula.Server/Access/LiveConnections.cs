// Counts the live readers (SSE, long-poll, hub connections) of the node and of each client, so
// that neither one client nor all of them together can hold more connections than configured.
using System.Collections.Concurrent;

namespace Ursula.Server.Access;

public enum LiveAdmission
{
    Admitted,
    NodeFull,
    ClientFull,
}

public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<string, int> perClient = new(StringComparer.Ordinal);
    private int total;

    public int Total => Volatile.Read(ref total);

    public LiveAdmission TryEnter(string client, int nodeLimit, int clientLimit)
    {
        if (Interlocked.Increment(ref total) > nodeLimit)
        {
            Interlocked.Decrement(ref total);
            return LiveAdmission.NodeFull;
        }

        var count = perClient.AddOrUpdate(client, 1, (_, n) => n + 1);
        if (clientLimit > 0 && count > clientLimit)
        {
            Exit(client);
            return LiveAdmission.ClientFull;
        }

        return LiveAdmission.Admitted;
    }

    public void Exit(string client)
    {
        Interlocked.Decrement(ref total);
        while (perClient.TryGetValue(client, out var n))
        {
            if (n <= 1 ? perClient.TryRemove(new KeyValuePair<string, int>(client, n)) : perClient.TryUpdate(client, n - 1, n))
            {
                return;
            }
        }
    }
}
