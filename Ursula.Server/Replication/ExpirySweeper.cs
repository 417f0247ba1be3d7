// The leader's sweeper: streams past their TTL or deadline are expired through the log, so every
// node frees them at the same point. Requests already treat them as gone from the moment they expire.
//
// It does not look at every stream every second. It keeps the streams that have a TTL or a deadline
// (candidates) and checks only those each second; candidates are found by a scan that walks the
// catalog in place, a slice per second (at least DiscoverySlice streams, enough to cover the whole
// catalog every DiscoveryPeriod), so a node of 100,000 streams without TTLs visits a few thousand per
// second instead of all of them, and one with a few TTL streams checks just those. A new TTL stream
// is therefore expired through the log at most a discovery period late (or on time once found);
// readers see it gone on time either way.
//
// It sweeps only while this node leads: the leadership signal starts it, and the leadership's token
// ends the sweeping when this node steps down (a new leader finds its candidates within a discovery
// period). The same sweep expires idle producer state: it reads the oldest producer stamp apply
// keeps, so an idle node writes nothing.
using Microsoft.Extensions.Options;
using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Replication;

public sealed class ExpirySweeper(StreamCatalog catalog, Sequencer sequencer, LeadershipSignal leadership, TimeProvider time, IOptions<ProducerExpiryOptions> producerOptions) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Streams checked for an expiry per tick at the least (a small catalog is scanned whole each second).</summary>
    public const int DiscoverySlice = 4096;

    /// <summary>Ticks in which the scan covers the whole catalog at the most.</summary>
    public const int DiscoveryPeriod = 30;

    private readonly HashSet<StreamHandle> candidates = new(ReferenceEqualityComparer.Instance);
    private IEnumerator<StreamHandle>? scan;

    /// <summary>Streams with a TTL or deadline found so far (for tests and diagnostics).</summary>
    public int Candidates => candidates.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var leading = await leadership.WaitForLeadershipAsync(stoppingToken);
                using var scope = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leading);
                try
                {
                    await SweepWhileLeadingAsync(scope.Token);
                }
                catch (OperationCanceledException) when (scope.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    // Stepped down; wait to lead again.
                }
            }
        }
        finally
        {
            scan?.Dispose();
        }
    }

    private long lastProducerSweepMs;

    /// <summary>Some producer may be idle past the expiry, and the last producer sweep is a sweep interval ago.</summary>
    private bool ProducersDue(long now)
    {
        var options = producerOptions.Value;
        var oldest = catalog.OldestProducerMs;
        if (oldest == long.MaxValue || now - oldest < (long)options.IdleExpiry.TotalMilliseconds
            || now - lastProducerSweepMs < (long)options.SweepInterval.TotalMilliseconds)
        {
            return false;
        }

        lastProducerSweepMs = now;
        return true;
    }

    private async Task SweepWhileLeadingAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            Discover();
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var expired = Due(now).Cast<Command>().ToList();
            if (ProducersDue(now))
            {
                expired.Add(new ExpireProducersCommand((long)producerOptions.Value.IdleExpiry.TotalMilliseconds));
            }

            // All at once: they share log entries through group commit instead of one round trip each.
            try
            {
                await Task.WhenAll(expired.Select(c => sequencer.SubmitAsLeaderAsync(c, cancellationToken).AsTask()));
            }
            catch (ServiceUnavailableException)
            {
                // Leadership moved or the log is unavailable; the next sweep (here or on the new leader) retries.
            }
        }
    }

    /// <summary>Walks the next slice of the catalog, keeping the streams that can expire.</summary>
    internal void Discover()
    {
        var slice = Math.Max(DiscoverySlice, (catalog.StreamCount / DiscoveryPeriod) + 1);
        for (var i = 0; i < slice; i++)
        {
            scan ??= catalog.EnumerateStreams().GetEnumerator();
            if (!scan.MoveNext())
            {
                scan.Dispose();
                scan = null;
                return;
            }

            var handle = scan.Current;
            if (CanExpire(handle.Meta))
            {
                candidates.Add(handle);
            }
        }
    }

    /// <summary>The expire commands for candidates past their expiry; drops candidates that are gone or can no longer expire.</summary>
    internal List<ExpireStreamCommand> Due(long nowMs)
    {
        var due = new List<ExpireStreamCommand>();
        candidates.RemoveWhere(h => h.Removed || !CanExpire(h.Meta));
        foreach (var handle in candidates)
        {
            var meta = handle.Meta;
            if (!meta.SoftDeleted && meta.IsExpiredAt(nowMs))
            {
                due.Add(new ExpireStreamCommand(meta.Path, meta.Id));
            }
        }

        return due;
    }

    private static bool CanExpire(StreamMeta meta) => meta.TtlSeconds is not null || meta.ExpiresAtMs is not null;
}
