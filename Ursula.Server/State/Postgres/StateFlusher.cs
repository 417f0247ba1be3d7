// Writes what apply changed to PostgreSQL in the background, one transaction per batch together
// with the applied index, then advances the snapshot index so the Raft WAL can be truncated.
// A failed flush keeps its batch and retries: nothing applied is ever dropped.
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
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        ChangeBatch? failed = null;
        var failedInstalls = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            await gate.Semaphore.WaitAsync(stoppingToken);
            try
            {
                if (failed is not null && failedInstalls != snapshots.Installs)
                {
                    // A snapshot replaced the whole state since this batch failed: it holds that batch already.
                    failed = null;
                }

                var batch = failed ?? catalog.TakeChanges();
                if (batch.IsEmpty && batch.AppliedIndex <= snapshots.FlushedIndex)
                {
                    failed = null;
                }
                else
                {
                    await store.FlushAsync(batch, stoppingToken);
                    failed = null;
                    backoff = TimeSpan.FromMilliseconds(50);
                    health.ReportWriteSucceeded();
                    snapshots.Advance(batch.AppliedIndex, batch.AppliedTerm);
                    budget.MarkFlushed(batch.AppliedIndex);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failed = catalog.TakeChangesMergedAfter(failed);
                failedInstalls = snapshots.Installs;
                health.ReportWriteFailed(e);
                StorageLog.FlushFailed(logger, e.Message);
            }
            finally
            {
                gate.Semaphore.Release();
            }

            await Task.Delay(failed is null ? Interval : backoff, stoppingToken);
            if (failed is not null)
            {
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }

        // Final flush on a clean stop, so a restart replays as little of the WAL as possible.
        var last = catalog.TakeChangesMergedAfter(failed);
        if (!last.IsEmpty || last.AppliedIndex > snapshots.FlushedIndex)
        {
            try
            {
                await store.FlushAsync(last, CancellationToken.None);
                snapshots.Advance(last.AppliedIndex, last.AppliedTerm);
            }
            catch (Exception e)
            {
                StorageLog.FlushFailed(logger, e.Message);
            }
        }
    }
}
