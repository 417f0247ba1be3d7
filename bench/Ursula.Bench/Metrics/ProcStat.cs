using System.Globalization;

namespace Ursula.Bench.Metrics;

/// <summary>
/// The CPU-time fields of a /proc/&lt;pid&gt;/stat line, in seconds: the process's own user and
/// system time, and the same for its children that have exited and been waited for (the kernel
/// adds a child's times to its parent when the parent reaps it, which is how the CPU of a
/// short-lived load generator such as wrk is read exactly after it exits).
/// </summary>
public readonly record struct ProcStat(double UserSeconds, double SystemSeconds, double ChildUserSeconds, double ChildSystemSeconds)
{
    /// <summary>USER_HZ, the unit of the stat fields: 100 on every Linux architecture .NET runs on.</summary>
    public const double TicksPerSecond = 100;

    public double OwnSeconds => UserSeconds + SystemSeconds;

    public double ChildSeconds => ChildUserSeconds + ChildSystemSeconds;

    /// <summary>Parses "pid (comm) state ppid ... utime stime cutime cstime ..." (fields 14-17).</summary>
    public static ProcStat Parse(string line)
    {
        // comm may hold spaces and parentheses: the fields proper start after the last ')'.
        var close = line.LastIndexOf(')');
        if (close < 0 || close + 2 > line.Length)
        {
            throw new FormatException($"not a /proc/<pid>/stat line: '{line}'");
        }

        // After ')' come field 3 (state) onwards, so field N is at index N - 3.
        var fields = line[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 15)
        {
            throw new FormatException($"/proc/<pid>/stat line has only {fields.Length + 2} fields");
        }

        return new ProcStat(Ticks(fields[11]), Ticks(fields[12]), Ticks(fields[13]), Ticks(fields[14]));
    }

    /// <summary>The stat of a process, or null when it is gone.</summary>
    public static ProcStat? Read(int pid) => ReadPath($"/proc/{pid}/stat");

    public static ProcStat Self() => ReadPath("/proc/self/stat") ?? throw new InvalidOperationException("/proc/self/stat is unreadable");

    private static ProcStat? ReadPath(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double Ticks(string field) =>
        long.Parse(field, NumberStyles.Integer, CultureInfo.InvariantCulture) / TicksPerSecond;
}
