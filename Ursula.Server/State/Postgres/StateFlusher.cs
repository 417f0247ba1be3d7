// Writes what apply changed to PostgreSQL in the background, one transaction per batch together
// with the applied index, then advances the snapshot index so the Raft WAL can be truncated.
// The batch being written is held until a flush of it succeeds: a failed flush keeps it, folds in
// what was applied since, and retries with backoff, so nothing applied is ever dropped and
// applied_index in PostgreSQL never passes data PostgreSQL does not hold.
namespace Ursula.Server.State.Postgres;

public sealed class StateFlusher(
    StreamCatalog catalog,
    PostgresStateStore store,
    HotTailBudget budget,
    PostgresSnapshots snapshots,
    StorageHealth health,
    FlushGate gate,
    ILogger<StateFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    // Changes taken from the catalog and not yet in PostgreSQL, and the state generation they
    // belong to (a snapshot install replaces the whole state, and with it everything pending).
    private ChangeBatch? pending;
    private int pendingInstalls;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool failed;
            await gate.Semaphore.WaitAsync(stoppingToken);
            try
            {
                failed = !await TryFlushAsync(stoppingToken);
            }
            finally
            {
                gate.Semaphore.Release();
            }

            await Task.Delay(failed ? backoff : Interval, stoppingToken);
            backoff = failed ? TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2)) : FirstBackoff;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // A last flush on a clean stop, so a restart replays as little of the WAL as possible.
        // Whatever it cannot write stays in the WAL, which the next start replays.
        await gate.Semaphore.WaitAsync(CancellationToken.None);
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await TryFlushAsync(limit.Token);
        }
        finally
        {
            gate.Semaphore.Release();
        }
    }

    /// <summary>Writes everything applied so far; false when PostgreSQL refused it (it stays pending). Call under the gate.</summary>
    private async Task<bool> TryFlushAsync(CancellationToken cancellationToken)
    {
        if (pending is not null && pendingInstalls != snapshots.Installs)
        {
            // A snapshot replaced the whole state since this batch was taken: the state holds it already.
            pending = null;
        }

        pendingInstalls = snapshots.Installs;
        pending = catalog.TakeChangesMergedAfter(pending);
        var batch = pending;
        if (batch.IsEmpty && batch.AppliedIndex <= snapshots.FlushedIndex)
        {
            pending = null;
            return true;
        }

        var flushStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await store.FlushAsync(batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            health.ReportWriteFailed(e);
            Diagnostics.UrsulaMetrics.PostgresFlushFailures.Add(1);
            StorageLog.FlushFailed(logger, batch.AppliedIndex, batch.Records.Count, e.Message, e);
            return false;
        }
        catch (OperationCanceledException)
        {
            // Stopping: the batch stays pending (and in the WAL).
            return false;
        }

        pending = null;
        Diagnostics.UrsulaMetrics.PostgresFlushDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(flushStarted).TotalSeconds);
        health.ReportWriteSucceeded();
        snapshots.Advance(batch.AppliedIndex, batch.AppliedTerm);
        budget.MarkFlushed(batch.AppliedIndex);
        return true;
    }
}
