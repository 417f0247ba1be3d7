using System.Diagnostics;

namespace Ursula.Bench.Metrics;

/// <summary>
/// Measures, over one interval, the CPU of this process and of the children it reaps in that
/// interval (see <see cref="ProcStat"/>): start it before a load generator is launched and
/// <see cref="Stop"/> it after the generator has exited and been waited for.
/// </summary>
public sealed class CpuWindow
{
    private readonly ProcStat _start = ProcStat.Self();
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    public static CpuWindow Start() => new();

    public Result Stop()
    {
        var end = ProcStat.Self();
        var wall = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        var cores = Environment.ProcessorCount;
        return new Result(
            CpuShare.Of(_start.OwnSeconds, end.OwnSeconds, wall, cores),
            CpuShare.Of(_start.ChildSeconds, end.ChildSeconds, wall, cores));
    }

    /// <param name="Self">this process (the harness) over the interval</param>
    /// <param name="Children">children reaped in the interval (the load generator)</param>
    public sealed record Result(CpuShare Self, CpuShare Children);
}
