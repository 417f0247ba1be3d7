using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ursula.Bench.Append;
using Ursula.Bench.Cli;
using Ursula.Bench.Fanout;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Soak;

/// <summary>
/// The 'soak' verb: a bounded mixed load for a while, in windows. Paced writers append to S streams,
/// SSE readers tail them live, catch-up readers read whole streams from the start again and again
/// (whatever else the server runs meanwhile, such as its archiver, runs too). Every window reports
/// append latency, errors, live events, caught-up bytes and the memory of the watched processes, and
/// the result compares the first window with the last: a server that leaks or slows down shows it.
/// </summary>
public sealed class SoakCommand(ParsedArgs args, TextWriter log)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var baseUrl = args.String("url");
        var duration = args.Duration("duration");
        var windowLength = args.Duration("window");
        var streams = args.Int("streams");
        var writers = args.Int("writers");
        var rate = args.Double("rate");
        var sseReaders = args.Int("sse-readers");
        var catchupReaders = args.Int("catchup-readers");
        var payload = CreatePayload(checked((int)args.Size("payload")));
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(24) || windowLength <= TimeSpan.Zero || windowLength > duration
            || streams < 1 || writers < 1 || rate <= 0 || sseReaders < 0 || catchupReaders < 0)
        {
            throw new UsageException("duration (at most 24h) and window must be positive with window <= duration; streams, writers and rate positive; readers >= 0");
        }

        var targets = (IReadOnlyList<WatchTarget>)[.. WatchTarget.Parse(args.String("watch-pid"), tree: false), .. WatchTarget.Parse(args.String("watch-tree"), tree: true)];
        var runId = BenchHttp.NewRunId();
        var result = new BenchResult(args, runId, $"soak s{streams} w{writers} rate{rate:0} sse{sseReaders} catchup{catchupReaders}");
        using var client = BenchHttp.Create(writers + catchupReaders + 8, args.Duration("timeout"));
        using var live = BenchHttp.Create(Math.Max(1, sseReaders), Timeout.InfiniteTimeSpan);
        var urls = Enumerable.Range(0, streams).Select(i => BenchHttp.Join(baseUrl, runId, $"s{i}")).ToArray();
        log.WriteLine($"soak: {streams} streams at {BenchHttp.Join(baseUrl, runId)}/s<i>; {writers} writers at {rate:0} appends/s in all, "
            + $"{sseReaders} SSE readers, {catchupReaders} catch-up readers; {Units.FormatDuration(duration)} in windows of {Units.FormatDuration(windowLength)}");
        await StreamApi.CreateManyAsync(client, urls, "text/plain", 16, ct);

        var windowCount = (int)Math.Ceiling(duration / windowLength);
        var windows = Enumerable.Range(0, windowCount).Select(i => new SoakWindow(i)).ToArray();
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        SoakWindow Current() => windows[Math.Min(windowCount - 1, (int)(Stopwatch.GetElapsedTime(start) / windowLength))];

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pacer = new RatePacer(rate, start);
        var appended = -1L;
        string NextUrl() => urls[(int)(Interlocked.Increment(ref appended) % urls.Length)];
        var tasks = new List<Task>();
        tasks.AddRange(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(client, NextUrl, payload, pacer, end, Current, stop.Token), ct)));
        tasks.AddRange(Enumerable.Range(0, sseReaders).Select(r => Task.Run(() => TailAsync(live, urls[r % urls.Length], Current, stop.Token), ct)));
        tasks.AddRange(Enumerable.Range(0, catchupReaders).Select(r => Task.Run(() => CatchUpAsync(client, urls, r, Current, stop.Token), ct)));

        for (var w = 0; w < windowCount; w++)
        {
            var closesAt = Math.Min(end, start + (long)((w + 1) * windowLength.TotalSeconds * Stopwatch.Frequency));
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, (closesAt - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)), ct);
            SampleMemory(windows[w], targets);
            log.WriteLine(windows[w].Describe(windowLength));
        }

        await stop.CancelAsync();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)));
        Summarise(result, windows[0], windows[^1], windows);
        result.PrintMetrics(log);
        result.Save(log);
        return 0;
    }

    private static async Task WriteAsync(HttpClient client, Func<string> nextUrl, ReadOnlyMemory<byte> payload, RatePacer pacer, long end, Func<SoakWindow> window, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var due = pacer.NextDue();
            if (due >= end)
            {
                return;
            }

            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), ct);
            }

            try
            {
                using var request = StreamApi.NewAppend(nextUrl(), payload, "text/plain");
                using var response = await client.SendAsync(request, ct);
                // From the scheduled send time, so a server that falls behind shows it (no coordinated omission).
                LatencySummary.Record(window().Latency, Stopwatch.GetTimestamp() - due);
                if (!StreamApi.IsSuccess(response.StatusCode))
                {
                    window().Error();
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                window().Error();
            }
        }
    }

    /// <summary>One SSE reader from the tail, reconnecting when the server ends the response.</summary>
    private static async Task TailAsync(HttpClient client, string url, Func<SoakWindow> window, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync($"{url}?offset=now&live=sse", HttpCompletionOption.ResponseHeadersRead, ct);
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var reader = new SseEventReader(body);
                while (await reader.ReadEventAsync(ct))
                {
                    if (reader.EventType == SseEventType.Data)
                    {
                        window().SseEvent();
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                window().Error();
                await Task.Delay(200, ct);
            }
        }
    }

    /// <summary>Reads whole streams from the start, one after another, as a consumer replaying history would.</summary>
    private static async Task CatchUpAsync(HttpClient client, string[] urls, int reader, Func<SoakWindow> window, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        for (var n = reader; !ct.IsCancellationRequested; n++)
        {
            try
            {
                var (bytes, _) = await StreamTailReader.ReadToTailAsync(client, urls[n % urls.Length], buffer, (_, _) => { }, ct);
                window().Catchup(bytes);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                window().Error();
                await Task.Delay(200, ct);
            }
        }
    }

    private static void SampleMemory(SoakWindow window, IReadOnlyList<WatchTarget> targets)
    {
        var parents = targets.Any(t => t.Tree) ? ProcFs.ReadParentMap() : null;
        foreach (var target in targets)
        {
            var pids = target.Tree ? ProcFs.SelfAndDescendants(target.Pid, parents!) : [target.Pid];
            window.RssKb[target.Name] = pids.Sum(p => ProcFs.ReadRssKb(p) ?? 0);
        }
    }

    private void Summarise(BenchResult result, SoakWindow first, SoakWindow last, SoakWindow[] windows)
    {
        var start = LatencySummary.From(first.Latency);
        var finish = LatencySummary.From(last.Latency);
        log.WriteLine($"soak: first window p50/p99 {start.P50Us / 1000.0:0.0}/{start.P99Us / 1000.0:0.0} ms, last window {finish.P50Us / 1000.0:0.0}/{finish.P99Us / 1000.0:0.0} ms; "
            + $"{windows.Sum(w => w.Errors)} errors in all");
        result.Metric("appends", windows.Sum(w => LatencySummary.From(w.Latency).Count));
        result.Metric("errors", windows.Sum(w => w.Errors));
        result.Metric("sseEvents", windows.Sum(w => w.SseEvents));
        result.Metric("catchupMB", Math.Round(windows.Sum(w => w.CatchupBytes) / 1048576.0, 1));
        result.Metric("first.p50Ms", start.P50Us / 1000.0);
        result.Metric("first.p99Ms", start.P99Us / 1000.0);
        result.Metric("last.p50Ms", finish.P50Us / 1000.0);
        result.Metric("last.p99Ms", finish.P99Us / 1000.0);
        foreach (var (name, kb) in first.RssKb)
        {
            var end = last.RssKb.GetValueOrDefault(name);
            result.Metric($"rss.{name}.firstMB", Math.Round(kb / 1024.0, 1));
            result.Metric($"rss.{name}.lastMB", Math.Round(end / 1024.0, 1));
            log.WriteLine($"soak: RSS of {name} {kb / 1024.0:0.0} MB after the first window, {end / 1024.0:0.0} MB after the last");
        }
    }

    /// <summary>A newline-terminated text payload of the given size.</summary>
    private static ReadOnlyMemory<byte> CreatePayload(int size)
    {
        var text = new StringBuilder(size);
        for (var i = 0; i < size - 1; i++)
        {
            text.Append((char)('a' + (i % 26)));
        }

        return Encoding.ASCII.GetBytes(text.Append('\n').ToString());
    }
}
