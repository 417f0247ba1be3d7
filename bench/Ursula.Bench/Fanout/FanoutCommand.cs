using System.Diagnostics;
using System.Text.Json.Nodes;
using Ursula.Bench.Append;
using Ursula.Bench.Cli;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Fanout;

/// <summary>
/// The 'fanout' verb: one stream, S subscribers at offset=now (SSE readers, or with --transport hub
/// clients of Ursula's SignalR hub; all confirmed live before publishing starts), one writer at R
/// appends/s over HTTP. Reports delivery latency percentiles and how many acknowledged messages
/// each subscriber received.
/// </summary>
public sealed class FanoutCommand(ParsedArgs args, TextWriter log)
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Runs socket completions on the runtime's socket event thread instead of queueing each to the
    /// thread pool (unless the environment already says otherwise). A thousand subscribers receive
    /// 50,000 small messages a second, each handled in a few microseconds without blocking, so the
    /// hop per message is pure overhead (alternated runs: 36-41% of the machine with it, 35%
    /// without). Must run before the process opens a socket.
    /// </summary>
    public static void UseInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var subscriberCount = args.Int("subscribers");
        var rate = args.Double("rate");
        var duration = args.Duration("duration");
        var warmup = args.Duration("warmup");
        var payloadSize = checked((int)args.Size("payload"));
        var contentType = args.String("content-type");
        var json = contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
        var transport = args.String("transport");
        if (transport is not ("sse" or "hub"))
        {
            throw new UsageException("--transport must be sse or hub");
        }

        if (subscriberCount < 1 || rate <= 0 || duration <= TimeSpan.Zero)
        {
            throw new UsageException("subscribers, rate and duration must be positive");
        }

        if (warmup < TimeSpan.Zero)
        {
            throw new UsageException("--warmup must not be negative");
        }

        if (payloadSize < TimestampPayload.MinimumSize(json))
        {
            throw new UsageException($"--payload must be at least {TimestampPayload.MinimumSize(json)} bytes");
        }

        if (ProcFs.ReadOpenFilesLimit() is { } limit && limit < subscriberCount + 64)
        {
            // Running out of descriptors aborts the .NET runtime ("Out of memory."), so refuse up front.
            throw new UsageException($"open-files limit is {limit} but {subscriberCount} subscribers need about "
                + $"{subscriberCount + 64}; raise it in the calling script (ulimit -n {subscriberCount + 1024})");
        }

        // Memory is watched for the whole verb run, so the cost of the idle SSE connections counts too.
        var watcher = RssWatcher.FromArgs(args);
        watcher?.Start();
        var runId = BenchHttp.NewRunId();
        var result = new BenchResult(args, runId, $"{(transport == "hub" ? "hub-" : "")}fanout n{subscriberCount} r{rate:0}");
        var streamUrl = BenchHttp.Join(args.String("url"), runId, "fanout");
        using var subscriberClient = BenchHttp.Create(subscriberCount + 16, Timeout.InfiniteTimeSpan);
        using var publisherClient = BenchHttp.Create(4, TimeSpan.FromSeconds(30));
        using var hubInvoker = new HttpMessageInvoker(BenchHttp.CreateHandler(subscriberCount + 16));
        await StreamApi.CreateAsync(publisherClient, streamUrl, contentType, ct);

        var latency = LatencySummary.NewConcurrentHistogram();
        var errors = new Tally();
        var hubUrl = new Uri(new Uri(args.String("url")), "/_ursula/hub");
        var streamPath = new Uri(streamUrl).AbsolutePath;
        var firstMeasured = FanoutPublisher.FirstMeasuredOf(rate, warmup);
        var subscribers = Enumerable.Range(0, subscriberCount)
            .Select(IFanoutSubscriber (_) => transport == "hub"
                ? new HubSubscriber(hubInvoker, hubUrl, streamPath, latency, firstMeasured, errors)
                : new SseSubscriber(subscriberClient, streamUrl, latency, firstMeasured, errors))
            .ToArray();
        using var gate = new SemaphoreSlim(Math.Max(1, args.Int("connect-parallelism")));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        log.WriteLine($"fanout: opening {subscriberCount} {(transport == "hub" ? "hub" : "SSE")} subscribers on {streamUrl} ({contentType})");
        var connectStart = Stopwatch.GetTimestamp();
        var tasks = subscribers.Select(s => Task.Run(() => s.RunAsync(gate, stop.Token), ct)).ToArray();
        await Task.WhenAny(Task.WhenAll(subscribers.Select(s => s.Ready)), Task.Delay(args.Duration("ready-timeout"), ct));
        var connectSeconds = RunClock.Seconds(Stopwatch.GetTimestamp() - connectStart);
        var ready = subscribers.Count(s => s.Ready.IsCompletedSuccessfully);
        log.WriteLine($"fanout: {ready}/{subscriberCount} subscribers live after {connectSeconds:0.00}s; errors so far: {errors}");

        var publisher = new FanoutPublisher(publisherClient, streamUrl, contentType, payloadSize);
        var cpu = new SelfCpu();
        cpu.Start();
        if (warmup > TimeSpan.Zero)
        {
            log.WriteLine($"fanout: {warmup.TotalSeconds:0.#}s of warm-up at {rate:0.#} appends/s first (sequences below {firstMeasured}: delivered and checked, not timed)");
        }

        await publisher.RunAsync(rate, warmup, duration, args.Int("max-in-flight"), ct);
        cpu.Stop();
        var drainSeconds = await DrainAsync(subscribers, publisher.Acknowledged, args.Duration("drain"), ct);
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        if (watcher is not null)
        {
            await watcher.StopAsync();
        }

        result.Metric("subscribers", subscriberCount);
        result.Metric("subscribersReady", ready);
        result.Metric("connectSeconds", Math.Round(connectSeconds, 3));
        var missing = Summarise(result, subscribers, publisher, LatencySummary.From(latency), errors, drainSeconds);
        cpu.Report(result, log);
        watcher?.Report(result, log);
        result.PrintMetrics(log);
        result.Save(log);

        // Lost acknowledged messages are a correctness failure: the result is saved, but exit 1.
        return missing == 0 ? 0 : 1;
    }

    /// <summary>
    /// Waits until every subscriber holds every acknowledged message, or the limit passes. Counts the
    /// acknowledged sequences themselves, not everything received: an append answered 503 (outcome
    /// unknown) may still have been applied and delivered, and must not stand in for a missing one.
    /// </summary>
    private static async Task<double> DrainAsync(
        IFanoutSubscriber[] subscribers, IReadOnlyList<long> acknowledged, TimeSpan limit, CancellationToken ct)
    {
        var expected = acknowledged.Count;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + RunClock.ToTicks(limit);
        while (Stopwatch.GetTimestamp() < deadline
            && subscribers.Any(s => s.Received.Count < expected || s.Received.CountOf(acknowledged) < expected))
        {
            await Task.Delay(20, ct);
        }

        return RunClock.Seconds(Stopwatch.GetTimestamp() - start);
    }

    private int Summarise(
        BenchResult result, IFanoutSubscriber[] subscribers, FanoutPublisher publisher, LatencySummary delivery,
        Tally errors, double drainSeconds)
    {
        var expected = publisher.Acknowledged.Count;
        var received = subscribers.Select(s => s.Received.CountOf(publisher.Acknowledged)).ToArray();
        var missing = received.Count(r => r < expected);
        var total = received.Sum(r => (long)r);
        var duplicates = subscribers.Sum(s => s.Received.Duplicates);
        var reconnects = subscribers.Sum(s => s.Reconnects);
        var publishRate = publisher.Attempted / publisher.Duration.TotalSeconds;
        var append = LatencySummary.From(publisher.AppendLatency);
        var publishErrors = publisher.Exceptions.Total
            + publisher.Statuses.Snapshot().Where(kv => kv.Key is not ("200" or "204")).Sum(kv => kv.Value);

        log.WriteLine($"published: {publisher.Attempted} in {publisher.Duration.TotalSeconds:0.##}s ({publishRate:0.0}/s, "
            + $"last ack after {publisher.ElapsedSeconds:0.00}s), "
            + $"acknowledged {expected} (warm-up included); statuses {publisher.Statuses}; errors {publisher.Exceptions}; "
            + $"sends delayed by the in-flight limit: {publisher.Throttled}");
        log.WriteLine($"append latency (writer): {append}");
        log.WriteLine($"delivery latency (publish -> subscriber): {delivery}");
        log.WriteLine($"received per subscriber: expected {expected}, min {received.Min()}, "
            + $"mean {received.Average():0.0}, max {received.Max()}; {missing} subscribers missed data; "
            + $"drain {drainSeconds:0.00}s; duplicates {duplicates}; reconnects {reconnects}; subscriber errors: {errors}");

        delivery.AddTo(result, "delivery");
        result.Metric("publishedPerSec", Math.Round(publishRate, 2));
        result.Metric("publishThrottled", publisher.Throttled);
        result.Metric("expectedPerSubscriber", expected);
        result.Metric("receivedMin", received.Min());
        result.Metric("receivedMean", Math.Round(received.Average(), 2));
        result.Metric("subscribersMissingData", missing);
        result.Metric("deliveryRatio", expected == 0 ? 0 : Math.Round(total / ((double)expected * subscribers.Length), 6));
        result.Metric("duplicates", duplicates);
        result.Metric("reconnects", reconnects);
        result.Metric("drainSeconds", Math.Round(drainSeconds, 3));
        append.AddTo(result, "append");
        result.Metric("errors", publishErrors + errors.Total);
        result.Detail("publisherStatuses", publisher.Statuses.ToJson());
        result.Detail("publisherExceptions", publisher.Exceptions.ToJson());
        result.Detail("subscriberErrors", errors.ToJson());
        result.Detail("receivedHistogram", ReceivedHistogram(received));
        return missing;
    }

    /// <summary>Received-count -> number of subscribers, so partial deliveries are visible in the JSON.</summary>
    private static JsonObject ReceivedHistogram(int[] received)
    {
        var json = new JsonObject();
        foreach (var group in received.GroupBy(r => r).OrderBy(g => g.Key))
        {
            json[group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = group.Count();
        }

        return json;
    }
}
