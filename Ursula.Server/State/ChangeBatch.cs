// Everything apply changed since the last PostgreSQL flush. The flusher writes one batch in one
// transaction together with the applied index, so a crash never leaves half an entry behind.
namespace Ursula.Server.State;

public sealed class ChangeBatch
{
    public List<(long StreamId, DataRecord Record)> Records { get; } = [];

    public Dictionary<long, StreamMeta> Streams { get; } = [];

    public HashSet<long> Deleted { get; } = [];

    public Dictionary<(long StreamId, string ProducerId), ProducerState> Producers { get; } = [];

    /// <summary>Producer state dropped after its idle expiry; never also in <see cref="Producers"/>.</summary>
    public HashSet<(long StreamId, string ProducerId)> DeletedProducers { get; } = [];

    public long AppliedIndex { get; set; }

    public long AppliedTerm { get; set; }

    public long NextStreamId { get; set; }

    public long ClockMs { get; set; }

    public long PayloadBytes { get; private set; }

    /// <summary>The change sets of the other kinds of state, in the order they were first changed.</summary>
    public IReadOnlyList<IChangeSet> Sets => sets;

    private readonly List<IChangeSet> sets = [];

    public bool IsEmpty => Records.Count == 0 && Streams.Count == 0 && Deleted.Count == 0 && Producers.Count == 0 && DeletedProducers.Count == 0 && sets.TrueForAll(s => s.IsEmpty);

    /// <summary>This batch's change set of type <typeparamref name="T"/>, created on first use.</summary>
    public T Changes<T>()
        where T : class, IChangeSet, new()
    {
        foreach (var set in sets)
        {
            if (set is T found)
            {
                return found;
            }
        }

        var created = new T();
        sets.Add(created);
        return created;
    }

    public void AddRecord(long streamId, DataRecord record)
    {
        Records.Add((streamId, record));
        PayloadBytes += record.Payload.Length;
    }

    public void Upsert(StreamMeta meta) => Streams[meta.Id] = meta;

    public void SetProducer((long StreamId, string ProducerId) key, ProducerState state)
    {
        DeletedProducers.Remove(key);
        Producers[key] = state;
    }

    public void DeleteProducer((long StreamId, string ProducerId) key)
    {
        Producers.Remove(key);
        DeletedProducers.Add(key);
    }

    public void Delete(long streamId)
    {
        Deleted.Add(streamId);
        Streams.Remove(streamId);
    }

    /// <summary>Folds a newer batch into this one (after this one failed to flush).</summary>
    public void Absorb(ChangeBatch newer)
    {
        foreach (var (streamId, record) in newer.Records)
        {
            AddRecord(streamId, record);
        }

        foreach (var (id, meta) in newer.Streams)
        {
            Streams[id] = meta;
        }

        foreach (var id in newer.Deleted)
        {
            Delete(id);
        }

        // A key is in at most one of the two within a batch, so their order does not matter here.
        foreach (var key in newer.DeletedProducers)
        {
            DeleteProducer(key);
        }

        foreach (var (key, state) in newer.Producers)
        {
            SetProducer(key, state);
        }

        foreach (var set in newer.sets)
        {
            if (sets.Find(s => s.GetType() == set.GetType()) is { } mine)
            {
                mine.Absorb(set);
            }
            else
            {
                sets.Add(set);
            }
        }

        AppliedIndex = newer.AppliedIndex;
        AppliedTerm = newer.AppliedTerm;
        NextStreamId = newer.NextStreamId;
        ClockMs = newer.ClockMs;
    }
}
