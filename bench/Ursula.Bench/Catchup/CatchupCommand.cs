using System.Diagnostics;
using System.Text.Json.Nodes;
using Ursula.Bench.Append;
using Ursula.Bench.Cli;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Catchup;

/// <summary>
/// The 'catchup' verb: pre-fills one application/octet-stream stream with --size bytes in
/// --payload appends, then R readers read it concurrently from offset=-1 to the tail.
/// Reports per-client time, aggregate MB/s, and verifies byte counts and content. With --stream,
/// --fill-only and --no-fill the pre-fill and the reading can be separate runs (the compare verb
/// fills a stream, waits until it is archived and restarts the node, then reads it).
/// </summary>
public sealed class CatchupCommand(ParsedArgs args, TextWriter log)
{
    private const string ContentType = "application/octet-stream";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var readerCount = args.Int("readers");
        var size = args.Size("size");
        var payloadSize = checked((int)args.Size("payload"));
        var fillConcurrency = Math.Max(1, args.Int("fill-concurrency"));
        var bufferSize = checked((int)Math.Max(4096, args.Size("buffer")));
        var fillOnly = args.Flag("fill-only");
        var noFill = args.Flag("no-fill");
        if (readerCount < 1 || size < 1 || payloadSize < 1)
        {
            throw new UsageException("readers, size and payload must be positive");
        }

        if (fillOnly && noFill)
        {
            throw new UsageException("--fill-only and --no-fill exclude each other");
        }

        if (noFill && args.String("stream").Length == 0)
        {
            throw new UsageException("--no-fill reads an existing stream: pass its URL with --stream");
        }

        // Memory is watched for the whole verb run (pre-fill included).
        var watcher = RssWatcher.FromArgs(args);
        watcher?.Start();
        var runId = BenchHttp.NewRunId();
        var result = new BenchResult(args, runId, $"catchup r{readerCount} {Units.FormatSize(size)}");
        var streamUrl = args.String("stream") is { Length: > 0 } given ? given : BenchHttp.Join(args.String("url"), runId, "catchup");
        using var client = BenchHttp.Create(readerCount + fillConcurrency + 2, args.Duration("timeout"));
        var pattern = FillPattern.Create(payloadSize);
        var fillMbps = double.NaN;
        if (!noFill)
        {
            await StreamApi.CreateAsync(client, streamUrl, ContentType, ct);
            log.WriteLine($"catchup: pre-filling {streamUrl} with {Units.FormatSize(size)} in {Units.FormatSize(payloadSize)} appends");
            var fillSeconds = await PrefillAsync(client, streamUrl, pattern, size, fillConcurrency, ct);
            fillMbps = size / Units.BytesPerMegabyte / fillSeconds;
            log.WriteLine($"catchup: pre-fill took {fillSeconds:0.00}s ({fillMbps:0.0} MB/s)");
        }

        if (fillOnly)
        {
            if (watcher is not null)
            {
                await watcher.StopAsync();
            }

            result.Metric("prefillMBps", Math.Round(fillMbps, 2));
            result.Save(log);
            return 0;
        }

        log.WriteLine($"catchup: starting {readerCount} readers of {streamUrl}");

        var readers = Enumerable.Range(0, readerCount)
            .Select(_ => new CatchupReader(client, streamUrl, pattern, bufferSize)).ToArray();
        var cpu = new SelfCpu();
        cpu.Start();
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(readers.Select(r => Task.Run(() => r.RunAsync(ct), ct)));
        cpu.Stop();
        var wall = RunClock.Seconds(Stopwatch.GetTimestamp() - start);
        if (watcher is not null)
        {
            await watcher.StopAsync();
        }

        var verified = Summarise(result, readers, size, wall);
        if (!noFill)
        {
            result.Metric("prefillMBps", Math.Round(fillMbps, 2));
        }

        cpu.Report(result, log);
        watcher?.Report(result, log);
        result.PrintMetrics(log);
        result.Save(log);
        return verified ? 0 : 1;
    }

    private static async Task<double> PrefillAsync(
        HttpClient client, string url, byte[] pattern, long size, int parallelism, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var full = size / pattern.Length;
        var remainder = (int)(size % pattern.Length);
        await Parallel.ForEachAsync(
            LongRange(full),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (_, token) => await StreamApi.AppendOrThrowAsync(client, url, pattern, ContentType, token));
        if (remainder > 0)
        {
            await StreamApi.AppendOrThrowAsync(client, url, pattern.AsMemory(0, remainder), ContentType, ct);
        }

        return RunClock.Seconds(Stopwatch.GetTimestamp() - start);
    }

    private bool Summarise(BenchResult result, CatchupReader[] readers, long size, double wall)
    {
        var clients = new JsonArray();
        var verified = true;
        for (var i = 0; i < readers.Length; i++)
        {
            var r = readers[i];
            var ok = r.Error is null && r.Bytes == size && r.ContentOk;
            verified &= ok;
            log.WriteLine($"  reader {i}: {r.Bytes} bytes in {r.Seconds * 1000:0} ms ({r.Bytes / Units.BytesPerMegabyte / r.Seconds:0.0} MB/s), "
                + $"{r.Requests} requests, {(ok ? "verified" : $"FAILED (content ok: {r.ContentOk}, error: {r.Error ?? "none"})")}");
            clients.Add(new JsonObject
            {
                ["ms"] = Math.Round(r.Seconds * 1000, 1),
                ["bytes"] = r.Bytes,
                ["requests"] = r.Requests,
                ["contentOk"] = r.ContentOk,
                ["error"] = r.Error,
            });
        }

        var totalBytes = readers.Sum(r => r.Bytes);
        var aggregate = totalBytes / Units.BytesPerMegabyte / wall;
        var ms = readers.Select(r => r.Seconds * 1000).ToArray();
        log.WriteLine($"catchup: {readers.Length} readers x {Units.FormatSize(size)} in {wall:0.000}s wall = {aggregate:0.0} MB/s aggregate; "
            + $"per-client {ms.Min():0} / {ms.Average():0} / {ms.Max():0} ms (min/mean/max); {(verified ? "all verified" : "VERIFICATION FAILED")}");

        result.Metric("aggregateMBps", Math.Round(aggregate, 2));
        result.Metric("clientMsMin", Math.Round(ms.Min(), 1));
        result.Metric("clientMsMean", Math.Round(ms.Average(), 1));
        result.Metric("clientMsMax", Math.Round(ms.Max(), 1));
        result.Metric("clientMBpsMean", Math.Round(readers.Average(r => r.Bytes / Units.BytesPerMegabyte / r.Seconds), 2));
        result.Metric("requestsPerReader", readers.Average(r => r.Requests));
        result.Metric("verified", verified ? 1 : 0);
        result.Detail("clients", clients);
        return verified;
    }

    private static IEnumerable<long> LongRange(long count)
    {
        for (long i = 0; i < count; i++)
        {
            yield return i;
        }
    }
}
