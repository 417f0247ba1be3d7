namespace Ursula.Bench.Metrics;

/// <summary>
/// CPU time one process spent over a wall-clock interval, as a share of the whole machine:
/// CPU seconds / (wall seconds x cores). 1.0 is every core busy for the whole interval; on a
/// 2-core machine one saturated core is 0.5.
/// </summary>
public readonly record struct CpuShare(double CpuSeconds, double WallSeconds, int Cores)
{
    /// <summary>The share above which a load generator measures itself as much as the server: a quarter of the machine.</summary>
    public const double DefaultLimit = 0.25;

    public double OfMachine => WallSeconds > 0 && Cores > 0 ? Math.Max(0, CpuSeconds) / (WallSeconds * Cores) : 0;

    public double Percent => OfMachine * 100;

    /// <summary>Cores kept busy on average (1.0 = one full core).</summary>
    public double CoresUsed => WallSeconds > 0 ? Math.Max(0, CpuSeconds) / WallSeconds : 0;

    public bool Exceeds(double limit) => OfMachine > limit;

    /// <summary>CPU microseconds per operation (e.g. per append), or NaN without operations.</summary>
    public double MicrosecondsPer(long operations) => operations > 0 ? CpuSeconds * 1e6 / operations : double.NaN;

    public static CpuShare Of(double cpuSecondsBefore, double cpuSecondsAfter, double wallSeconds, int cores) =>
        new(cpuSecondsAfter - cpuSecondsBefore, wallSeconds, cores);
}
