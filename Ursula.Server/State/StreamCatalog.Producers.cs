// Idle expiry of idempotent producer state. Every producer update stamps the entry's time, so the
// oldest stamp is known without a scan: apply keeps a lower bound of it that the leader's sweeper
// reads to decide, without touching the tables, whether an expiry command could drop anything.
// Apply of that command scans the producers once and measures idleness against the entry's time.
using Ursula.Server.State.Commands;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    private long oldestProducerMs = long.MaxValue;

    /// <summary>No producer state is older than this entry time (long.MaxValue when there is none).</summary>
    public long OldestProducerMs => Volatile.Read(ref oldestProducerMs);

    internal ApplyOutcome ExpireProducers(ExpireProducersCommand command)
    {
        if (command.IdleMs <= 0)
        {
            return new ApplyOutcome(204);
        }

        // Idle for at least IdleMs at the entry's time: the same set on every node.
        var cutoff = clockMs - command.IdleMs;
        var oldest = long.MaxValue;
        List<string>? expired = null;
        foreach (var handle in byId.Values)
        {
            if (handle.Producers.Count == 0)
            {
                continue;
            }

            foreach (var (id, state) in handle.Producers)
            {
                if (state.UpdatedAtMs <= cutoff)
                {
                    (expired ??= []).Add(id);
                }
                else
                {
                    oldest = Math.Min(oldest, state.UpdatedAtMs);
                }
            }

            if (expired is { Count: > 0 })
            {
                foreach (var id in expired)
                {
                    handle.Producers.Remove(id);
                    current.DeleteProducer((handle.Id, id));
                }

                expired.Clear();
            }
        }

        Volatile.Write(ref oldestProducerMs, oldest);
        return new ApplyOutcome(204);
    }

    private void SetProducer(StreamHandle handle, string producerId, ProducerState state)
    {
        handle.Producers[producerId] = state;

        if (state.UpdatedAtMs < oldestProducerMs)
        {
            Volatile.Write(ref oldestProducerMs, state.UpdatedAtMs);
        }

        current.SetProducer((handle.Id, producerId), state);
    }

    private void LoadProducerClock()
    {
        var oldest = long.MaxValue;
        foreach (var handle in byId.Values)
        {
            foreach (var state in handle.Producers.Values)
            {
                oldest = Math.Min(oldest, state.UpdatedAtMs);
            }
        }

        Volatile.Write(ref oldestProducerMs, oldest);
    }
}
