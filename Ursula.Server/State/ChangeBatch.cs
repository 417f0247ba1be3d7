// Everything apply changed since the last PostgreSQL flush. The flusher writes one batch in one
// transaction together with the applied index, so a crash never leaves half an entry behind.
namespace Ursula.Server.State;

public sealed class ChangeBatch
{
    public List<(long StreamId, DataRecord Record)> Records { get; } = [];

    public Dictionary<long, StreamMeta> Streams { get; } = [];

    public HashSet<long> Deleted { get; } = [];

    public Dictionary<(long StreamId, string ProducerId), ProducerState> Producers { get; } = [];

    public long AppliedIndex { get; set; }

    public long AppliedTerm { get; set; }

    public long NextStreamId { get; set; }

    public long ClockMs { get; set; }

    public long PayloadBytes { get; private set; }

    public bool IsEmpty => Records.Count == 0 && Streams.Count == 0 && Deleted.Count == 0 && Producers.Count == 0;

    public void AddRecord(long streamId, DataRecord record)
    {
        Records.Add((streamId, record));
        PayloadBytes += record.Payload.Length;
    }

    public void Upsert(StreamMeta meta) => Streams[meta.Id] = meta;

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

        foreach (var (key, state) in newer.Producers)
        {
            Producers[key] = state;
        }

        AppliedIndex = newer.AppliedIndex;
        AppliedTerm = newer.AppliedTerm;
        NextStreamId = newer.NextStreamId;
        ClockMs = newer.ClockMs;
    }
}
