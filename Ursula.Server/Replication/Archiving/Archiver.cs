// The leader's archiver. Every interval it picks, per stream, the committed records older than the
// hot window (all of them past half the node's hot ceiling), reads them from PostgreSQL, packs the
// ranges of many streams into objects, uploads and verifies each, and only then replicates an
// ArchiveRangesCommand: applying it on every node records the manifest entries and drops those
// records from PostgreSQL. A failed or partial upload publishes nothing; the data stays hot and
// the next round retries. Then it compacts objects that hold rows of removed streams, deletes what
// compaction replaced, and sweeps objects no manifest names (uploads whose command never committed).
using Microsoft.Extensions.Options;
using Ursula.Archive.Compaction;
using Ursula.Archive.Format;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Postgres;

namespace Ursula.Server.Replication.Archiving;

public sealed partial class Archiver(
    StreamCatalog catalog,
    PostgresRecordSource records,
    Sequencer sequencer,
    IObjectStore store,
    ArchiveWriter writer,
    ArchiveCompactor compactor,
    ArchiveStatus status,
    IOptions<ArchiveOptions> options,
    TimeProvider time,
    ILogger<Archiver> logger) : BackgroundService
{
    private readonly ArchiveOptions options = options.Value;
    private DateTimeOffset lastObjectAt = time.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!sequencer.IsLeader)
            {
                continue;
            }

            try
            {
                // Several objects' worth in one tick when much is waiting, one object per round.
                while (await ArchiveRoundAsync(stoppingToken) && sequencer.IsLeader)
                {
                }

                await CompactAsync(stoppingToken);
                await DeleteDueAsync(stoppingToken);
                await SweepOrphansAsync(stoppingToken);
                status.Succeeded();
            }
            catch (Exception e) when (e is ObjectStoreException or ServiceUnavailableException or Npgsql.NpgsqlException or TimeoutException or IOException)
            {
                status.Failed(e.Message);
                ArchiveLog.RoundFailed(logger, e.Message, e);
            }
        }
    }

    /// <summary>Archives up to one object's worth of the oldest hot data; true when more is waiting.</summary>
    public async Task<bool> ArchiveRoundAsync(CancellationToken cancellationToken)
    {
        var pastHalfCeiling = catalog.HotBytes > options.HotCeilingBytes / 2;
        if (pastHalfCeiling && catalog.HotBytes > options.HotCeilingBytes)
        {
            ArchiveLog.CeilingReached(logger, catalog.HotBytes, options.HotCeilingBytes);
        }

        var window = pastHalfCeiling ? 0 : options.HotWindowBytes;
        var candidates = catalog.Streams
            .Where(h => !h.Removed && h.Meta.HotBytes > window)
            .OrderByDescending(h => h.Meta.HotBytes - window)
            .ToList();
        var waiting = candidates.Sum(h => h.Meta.HotBytes - window);
        if (!pastHalfCeiling && waiting < options.ObjectTargetBytes / 4 && time.GetUtcNow() - lastObjectAt < options.MaxDelay)
        {
            // Too little to make an object of a useful size yet; it waits for more, not forever.
            return false;
        }

        var segments = new List<ArchiveSegment>();
        long planned = 0;
        var more = false;
        foreach (var handle in candidates)
        {
            if (planned >= options.ObjectTargetBytes)
            {
                more = true;
                break;
            }

            var meta = handle.Meta;
            var segment = await ReadSegmentAsync(meta, Math.Min(meta.HotBytes - window, options.ObjectTargetBytes - planned), cancellationToken);
            if (segment is not null)
            {
                segments.Add(segment);
                planned += segment.PayloadBytes;
            }
        }

        if (segments.Count == 0)
        {
            return false;
        }

        foreach (var written in await writer.WriteAsync(segments, cancellationToken))
        {
            await PublishAsync(written, segments, cancellationToken);
        }

        return more;
    }

    /// <summary>The stream's oldest flushed records from its archive frontier, about <paramref name="bytes"/> of them.</summary>
    private async Task<ArchiveSegment?> ReadSegmentAsync(StreamMeta meta, long bytes, CancellationToken cancellationToken)
    {
        var taken = new List<ArchiveRecord>();
        long takenBytes = 0;
        var position = meta.ArchivedTo;
        while (takenBytes < bytes && position < meta.Tail)
        {
            var batch = await records.ReadAsync(meta.Id, position, meta.Tail, Math.Min(bytes - takenBytes, 8L << 20), cancellationToken);
            if (batch.Count == 0 || batch[0].Start != position)
            {
                // Not in PostgreSQL yet (still being flushed), or the stream changed under the read.
                break;
            }

            foreach (var record in batch)
            {
                if (record.Start != position || (taken.Count > 0 && takenBytes + record.Payload.Length > bytes))
                {
                    position = long.MaxValue;
                    break;
                }

                var producer = record.ProducerId is null ? null : new ArchiveProducer(record.ProducerId, record.ProducerEpoch, record.ProducerSeq);
                taken.Add(new ArchiveRecord(record.Start, record.End, record.AppendedAtMs, record.LogIndex, record.Payload, producer));
                takenBytes += record.Payload.Length;
                position = record.End;
            }
        }

        return taken.Count == 0 ? null : new ArchiveSegment(meta.Id, meta.Path, meta.ContentType, taken);
    }

    private async Task PublishAsync(ArchivedObject written, IReadOnlyList<ArchiveSegment> segments, CancellationToken cancellationToken)
    {
        var byStream = segments.ToDictionary(s => s.StreamId);
        var bytes = written.Entries
            .Select(e => byStream[e.StreamId].Records.Where(r => r.Start >= e.Start && r.End <= e.End).Sum(r => (long)r.Payload.Length))
            .ToList();
        await sequencer.SubmitAsLeaderAsync(new ArchiveRangesCommand(written.Entries, bytes), cancellationToken);
        lastObjectAt = time.GetUtcNow();
        status.Archived(written.Entries.Count);
        ArchiveLog.Archived(logger, written.Entries.Count, bytes.Sum(), written.Entries.Select(e => e.StreamId).Distinct().Count(), written.Key, written.Size);
    }
}
