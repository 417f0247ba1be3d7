using System.Diagnostics;
using HdrHistogram;
using Ursula.Bench.Cli;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Append;

/// <summary>
/// The 'append' verb: creates N streams under BASE/&lt;run-id&gt;/, runs C writers for warm-up plus
/// duration, and reports appends/s, MB/s, latency percentiles and errors.
/// </summary>
public sealed class AppendCommand(ParsedArgs args, TextWriter log)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var baseUrl = args.String("url");
        var streams = args.Int("streams");
        var concurrency = args.Int("concurrency");
        var payloadSize = checked((int)args.Size("payload"));
        var duration = args.Duration("duration");
        var warmup = args.Duration("warmup");
        var rate = args.Double("rate");
        var producer = args.Flag("producer");
        var contentType = args.String("content-type");
        var clientKind = args.String("client");
        if (clientKind is not ("raw" or "http"))
        {
            throw new UsageException("--client is raw or http");
        }

        if (producer && clientKind == "raw")
        {
            throw new UsageException("--producer needs --client http (the raw client sends fixed requests)");
        }

        if (streams < 1 || concurrency < 1 || payloadSize < 1 || duration <= TimeSpan.Zero || rate < 0)
        {
            throw new UsageException("streams, concurrency, payload and duration must be positive; rate >= 0");
        }

        // Memory is watched for the whole verb run (stream creation included).
        var watcher = RssWatcher.FromArgs(args);
        watcher?.Start();
        var runId = BenchHttp.NewRunId();
        var workload = $"append s{streams} c{concurrency} p{Units.FormatSize(payloadSize)}"
            + (producer ? " producer" : "") + (rate > 0 ? $" rate{rate:0}" : "");
        var result = new BenchResult(args, runId, workload);
        var connections = Math.Max(concurrency, args.Int("connections"));
        using var client = BenchHttp.Create(connections, args.Duration("timeout"));

        var urls = Enumerable.Range(0, streams).Select(i => BenchHttp.Join(baseUrl, runId, $"s{i}")).ToArray();
        log.WriteLine($"append: creating {streams} streams at {BenchHttp.Join(baseUrl, runId)}/s<i> ({contentType})");
        await StreamApi.CreateManyAsync(client, urls, contentType, Math.Min(concurrency, 32), ct);

        var rateText = rate > 0 ? $"target {rate:0}/s" : "closed loop";
        log.WriteLine($"append: {concurrency} writers ({(clientKind == "raw" ? "raw HTTP/1.1 connections" : "HttpClient")}), {payloadSize} B payload, {Units.FormatDuration(warmup)} warm-up + "
            + $"{Units.FormatDuration(duration)} measured, {rateText}{(producer ? ", idempotent producers" : "")}");

        var clock = new RunClock(warmup, duration);
        var pacer = rate > 0 ? new RatePacer(rate, clock.Start) : null;
        var payload = CreatePayload(payloadSize, contentType);
        var raw = clientKind == "raw"
            ? urls.Select(u => RawHttpConnection.EncodePost(new Uri(u), payload.Span, contentType)).ToArray()
            : null;
        var plan = new AppendPlan(client, urls, payload, contentType,
            producer ? $"bench-{runId}" : null, pacer, clock, raw);
        var writers = Enumerable.Range(0, concurrency).Select(i => new AppendWriter(i, plan)).ToArray();
        var cpu = new SelfCpu();
        var cpuWindow = MeasureCpuAsync(cpu, clock, ct);
        using var stopWatchdog = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watchdog = WatchRawConnectionsAsync(writers, args.Duration("timeout"), stopWatchdog.Token);
        try
        {
            await Task.WhenAll(writers.Select(w => Task.Run(() => w.RunAsync(ct), ct)));
        }
        finally
        {
            await stopWatchdog.CancelAsync();
            await watchdog;
            foreach (var writer in writers)
            {
                writer.Connection?.Dispose();
            }
        }

        await cpuWindow;
        var tail = RunClock.Seconds(Stopwatch.GetTimestamp() - clock.End);
        if (watcher is not null)
        {
            await watcher.StopAsync();
        }

        Summarise(result, writers, payloadSize, duration, pacer, tail);
        cpu.Report(result, log, writers.Sum(w => w.Succeeded));
        watcher?.Report(result, log);
        result.PrintMetrics(log);
        result.Save(log);
        return 0;
    }

    private void Summarise(
        BenchResult result, AppendWriter[] writers, int payloadSize, TimeSpan duration, RatePacer? pacer, double tail)
    {
        var latency = LatencySummary.NewHistogram();
        var scheduled = LatencySummary.NewHistogram();
        var statuses = new Tally();
        var exceptions = new Tally();
        long succeeded = 0;
        foreach (var writer in writers)
        {
            latency.Add(writer.Latency);
            scheduled.Add(writer.ScheduledLatency);
            statuses.Merge(writer.Statuses);
            exceptions.Merge(writer.Exceptions);
            succeeded += writer.Succeeded;
        }

        var seconds = duration.TotalSeconds;
        var perSecond = succeeded / seconds;
        var mbPerSecond = succeeded * (double)payloadSize / Units.BytesPerMegabyte / seconds;
        var failedStatuses = statuses.Snapshot().Where(kv => kv.Key is not ("200" or "204")).Sum(kv => kv.Value);
        var summary = LatencySummary.From(latency);

        log.WriteLine($"appends: {succeeded} ok in {seconds:0.0}s = {perSecond:0.0}/s, {mbPerSecond:0.00} MB/s "
            + $"(in-flight tail after end: {tail * 1000:0} ms)");
        log.WriteLine($"latency: {summary}");
        log.WriteLine($"statuses: {statuses}; transport errors: {exceptions}");

        result.Metric("appendsPerSec", Math.Round(perSecond, 1));
        result.Metric("mbPerSec", Math.Round(mbPerSecond, 3));
        summary.AddTo(result, "lat");
        result.Metric("errors", failedStatuses + exceptions.Total);
        result.Metric("succeeded", succeeded);
        if (pacer is not null)
        {
            AddScheduled(result, scheduled, pacer, perSecond);
        }

        result.Detail("statuses", statuses.ToJson());
        result.Detail("exceptions", exceptions.ToJson());
    }

    private void AddScheduled(BenchResult result, HistogramBase scheduled, RatePacer pacer, double achieved)
    {
        var summary = LatencySummary.From(scheduled);
        log.WriteLine($"latency from scheduled send time (target {pacer.Rate:0}/s, achieved {achieved:0.0}/s): {summary}");
        result.Metric("targetRate", pacer.Rate);
        summary.AddTo(result, "sched");
    }

    /// <summary>
    /// The raw connections' request timeout: a request in flight for longer than it has its
    /// connection closed, so it fails (counted as a transport error) instead of hanging the run.
    /// </summary>
    private static async Task WatchRawConnectionsAsync(AppendWriter[] writers, TimeSpan timeout, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero || writers.All(w => w.Connection is null))
        {
            return;
        }

        var limit = RunClock.ToTicks(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var connection in writers.Select(w => w.Connection))
                {
                    if (connection is { BusySince: > 0 and var since } && now - since > limit)
                    {
                        connection.Close();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The CPU of this process over the measured window only (stream creation and warm-up excluded).</summary>
    private static async Task MeasureCpuAsync(SelfCpu cpu, RunClock clock, CancellationToken ct)
    {
        await RunClock.DelayUntilAsync(clock.MeasureStart, ct);
        cpu.Start();
        await RunClock.DelayUntilAsync(clock.End, ct);
        cpu.Stop();
    }

    /// <summary>A pre-allocated payload of ASCII letters (a JSON string for application/json streams).</summary>
    private static ReadOnlyMemory<byte> CreatePayload(int size, string contentType)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)('a' + (i % 26));
        }

        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && size >= 2)
        {
            bytes[0] = (byte)'"';
            bytes[^1] = (byte)'"';
        }

        return bytes;
    }
}
