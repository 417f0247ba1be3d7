using HdrHistogram;
using Ursula.Bench.Cli;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Soak;

/// <summary>What one window of a soak run saw: append latencies, errors, live and catch-up traffic, and memory at its end.</summary>
public sealed class SoakWindow(int index)
{
    private long errors;
    private long sseEvents;
    private long catchupBytes;

    public int Index { get; } = index;

    public LongConcurrentHistogram Latency { get; } = LatencySummary.NewConcurrentHistogram();

    public long Errors => Interlocked.Read(ref errors);

    public long SseEvents => Interlocked.Read(ref sseEvents);

    public long CatchupBytes => Interlocked.Read(ref catchupBytes);

    /// <summary>RSS (KB) of each watched target, summed over its tree, sampled when the window closed.</summary>
    public Dictionary<string, long> RssKb { get; } = [];

    public void Error() => Interlocked.Increment(ref errors);

    public void SseEvent() => Interlocked.Increment(ref sseEvents);

    public void Catchup(long bytes) => Interlocked.Add(ref catchupBytes, bytes);

    public string Describe(TimeSpan length)
    {
        var summary = LatencySummary.From(Latency);
        var rss = string.Join(", ", RssKb.Select(r => $"{r.Key} {r.Value / 1024.0:0.0} MB"));
        return $"window {Index} ({Units.FormatDuration(length)}): {summary.Count} appends, p50 {summary.P50Us / 1000.0:0.0} ms, p99 {summary.P99Us / 1000.0:0.0} ms, "
            + $"{Errors} errors, {SseEvents} SSE events, {CatchupBytes / 1048576.0:0.0} MB caught up{(rss.Length > 0 ? $"; RSS {rss}" : string.Empty)}";
    }
}
