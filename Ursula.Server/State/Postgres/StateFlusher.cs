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

    // The longest an idle flusher sleeps without a pulse from apply (a snapshot install, which
    // replaces the state without applying entries, is picked up within it).
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

    private enum FlushResult { Idle, Written, Failed }

    // Changes taken from the catalog and not yet in PostgreSQL, and the state generation they
    // belong to (a snapshot install replaces the whole state, and with it everything pending).
    private ChangeBatch? pending;
    private int pendingInstalls;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before looking at the catalog, so an apply that lands meanwhile is not missed.
            var applied = catalog.AppliedSignal.NextPulse;
            FlushResult result;
            await gate.Semaphore.WaitAsync(stoppingToken);
            try
            {
                result = await TryFlushAsync(stoppingToken);
            }
            finally
            {
                gate.Semaphore.Release();
            }

            if (result == FlushResult.Idle)
            {
                // Nothing to write: sleep until apply has something (an idle node does not wake
                // 20 times a second for nothing), then gather for one interval as under load.
                await applied.WaitAsync(IdleWait, stoppingToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            await Task.Delay(result == FlushResult.Failed ? backoff : Interval, stoppingToken);
            backoff = result == FlushResult.Failed ? TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2)) : FirstBackoff;
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
            _ = await TryFlushAsync(limit.Token);
        }
        finally
        {
            gate.Semaphore.Release();
        }
    }

    /// <summary>Writes everything applied so far; Failed when PostgreSQL refused it (it stays pending). Call under the gate.</summary>
    private async Task<FlushResult> TryFlushAsync(CancellationToken cancellationToken)
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
            return FlushResult.Idle;
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
            return FlushResult.Failed;
        }
        catch (OperationCanceledException)
        {
            // Stopping: the batch stays pending (and in the WAL).
            return FlushResult.Failed;
        }

        pending = null;
        Diagnostics.UrsulaMetrics.PostgresFlushDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(flushStarted).TotalSeconds);
        health.ReportWriteSucceeded();
        snapshots.Advance(batch.AppliedIndex, batch.AppliedTerm);
        budget.MarkFlushed(batch.AppliedIndex);
        return FlushResult.Written;
    }
}
