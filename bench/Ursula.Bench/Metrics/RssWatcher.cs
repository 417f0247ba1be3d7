using System.Text.Json.Nodes;
using Ursula.Bench.Cli;
using Ursula.Bench.Results;

namespace Ursula.Bench.Metrics;

/// <summary>
/// Samples the memory of watched processes every 100 ms (or a given interval) while a workload runs and keeps the peaks:
/// VmRSS per target (summed over the tree for --watch-tree, plus summed PSS), the peak of the
/// sum over all targets taken at the same instant, and the same sum with PSS in place of RSS for
/// trees (RSS counts memory shared between a tree's processes, e.g. PostgreSQL's shared buffers,
/// once per process).
/// </summary>
public sealed class RssWatcher
{
    private const int TreeRefreshSamples = 10;
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _interval;

    private readonly IReadOnlyList<WatchTarget> _targets;
    private readonly long[] _peakRssKb;
    private readonly long[] _peakPssKb;
    private readonly int[] _maxProcesses;
    private readonly List<int>?[] _treePids;
    private readonly CancellationTokenSource _stop = new();
    private long _peakTotalKb;
    private long _peakTotalPssKb;
    private int _samples;
    private Task _loop = Task.CompletedTask;

    public RssWatcher(IReadOnlyList<WatchTarget> targets, TimeSpan? interval = null)
    {
        _targets = targets;
        _interval = interval ?? DefaultInterval;
        _peakRssKb = new long[targets.Count];
        _peakPssKb = new long[targets.Count];
        _maxProcesses = new int[targets.Count];
        _treePids = new List<int>?[targets.Count];
    }

    /// <summary>A watcher for --watch-pid / --watch-tree, or null when neither was given.</summary>
    public static RssWatcher? FromArgs(ParsedArgs args)
    {
        List<WatchTarget> targets =
        [
            .. WatchTarget.Parse(args.String("watch-pid"), tree: false),
            .. WatchTarget.Parse(args.String("watch-tree"), tree: true),
        ];
        return targets.Count == 0 ? null : new RssWatcher(targets);
    }

    public void Start()
    {
        Sample();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(_interval);
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Sample();
            }
        });
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        Sample();
    }

    public void Report(BenchResult result, TextWriter log)
    {
        var details = new JsonArray();
        for (var i = 0; i < _targets.Count; i++)
        {
            var target = _targets[i];
            result.Metric($"rss.{target.Name}.peakMB", Math.Round(_peakRssKb[i] / 1024.0, 1));
            var entry = new JsonObject
            {
                ["name"] = target.Name,
                ["pid"] = target.Pid,
                ["tree"] = target.Tree,
                ["peakRssKb"] = _peakRssKb[i],
            };
            var line = $"peak RSS {target.Name} (pid {target.Pid}{(target.Tree ? " + children" : "")}): {_peakRssKb[i] / 1024.0:0.0} MB";
            if (target.Tree)
            {
                entry["maxProcesses"] = _maxProcesses[i];
                entry["peakPssKb"] = _peakPssKb[i];
                result.Metric($"rss.{target.Name}.peakPssMB", Math.Round(_peakPssKb[i] / 1024.0, 1));
                line += $", PSS {_peakPssKb[i] / 1024.0:0.0} MB over up to {_maxProcesses[i]} processes";
            }

            details.Add(entry);
            log.WriteLine(line);
        }

        result.Metric("rssTotalPeakMB", Math.Round(_peakTotalKb / 1024.0, 1));
        result.Metric("memTotalPeakMB", Math.Round(_peakTotalPssKb / 1024.0, 1));
        result.Detail("rss", new JsonObject { ["samples"] = _samples, ["targets"] = details });
    }

    private void Sample()
    {
        Dictionary<int, int>? parents = null;
        long totalKb = 0, totalPssKb = 0;
        for (var i = 0; i < _targets.Count; i++)
        {
            var target = _targets[i];
            List<int> pids = [target.Pid];
            if (target.Tree)
            {
                // Scanning all of /proc for the tree costs far more than reading a few status
                // files, so the tree is looked up again only every tenth sample.
                if (_treePids[i] is null || _samples % TreeRefreshSamples == 0)
                {
                    parents ??= ProcFs.ReadParentMap();
                    _treePids[i] = ProcFs.SelfAndDescendants(target.Pid, parents);
                }

                pids = _treePids[i]!;
            }

            long rssKb = 0, pssKb = 0;
            var alive = 0;
            foreach (var pid in pids)
            {
                if (ProcFs.ReadRssKb(pid) is { } rss)
                {
                    rssKb += rss;
                    alive++;
                    pssKb += target.Tree ? ProcFs.ReadPssKb(pid) ?? 0 : 0;
                }
            }

            _peakRssKb[i] = Math.Max(_peakRssKb[i], rssKb);
            _peakPssKb[i] = Math.Max(_peakPssKb[i], pssKb);
            _maxProcesses[i] = Math.Max(_maxProcesses[i], alive);
            totalKb += rssKb;
            totalPssKb += target.Tree ? pssKb : rssKb;
        }

        _peakTotalKb = Math.Max(_peakTotalKb, totalKb);
        _peakTotalPssKb = Math.Max(_peakTotalPssKb, totalPssKb);
        _samples++;
    }
}
