using System.Diagnostics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Metrics;

/// <summary>
/// This process's CPU over a workload's measured window, reported as the load generator's share
/// of the machine (loadgenCpuPct, loadgenCpuCores): a client that needs a large part of the CPU
/// measures itself as much as the server it loads.
/// </summary>
public sealed class SelfCpu
{
    private double _startCpu;
    private long _startTimestamp;
    private CpuShare? _share;

    public void Start()
    {
        _startCpu = Environment.CpuUsage.TotalTime.TotalSeconds;
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public CpuShare Stop()
    {
        var share = CpuShare.Of(_startCpu, Environment.CpuUsage.TotalTime.TotalSeconds,
            Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds, Environment.ProcessorCount);
        _share = share;
        return share;
    }

    /// <summary>Adds loadgenCpuPct, loadgenCpuCores and, with <paramref name="operations"/>, loadgenCpuUsPerOp.</summary>
    public void Report(BenchResult result, TextWriter log, long operations = 0)
    {
        if (_share is not { } share)
        {
            return;
        }

        result.Metric("loadgenCpuPct", Math.Round(share.Percent, 1));
        result.Metric("loadgenCpuCores", Math.Round(share.CoresUsed, 3));
        if (operations > 0)
        {
            result.Metric("loadgenCpuUsPerOp", Math.Round(share.MicrosecondsPer(operations), 1));
        }

        log.WriteLine($"load generator CPU over the measured window: {share.CoresUsed:0.00} cores = {share.Percent:0.0}% of the machine");
    }
}
