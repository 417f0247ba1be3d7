using System.Runtime.InteropServices;

namespace Ursula.Bench.Compare.Systems;

/// <summary>The few POSIX calls .NET does not wrap: signals by number and the open-files limit.</summary>
public static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private const int RlimitNofile = 7;

    public static bool Signal(int pid, int signal) => pid > 0 && NativeMethods.Kill(pid, signal) == 0;

    public static bool IsAlive(int pid) => pid > 0 && NativeMethods.Kill(pid, 0) == 0;

    /// <summary>
    /// Raises the soft open-files limit towards <paramref name="wanted"/> (capped at the hard limit,
    /// which root may raise too); children inherit it. Returns the soft limit in force afterwards.
    /// </summary>
    public static long RaiseOpenFilesLimit(long wanted)
    {
        if (NativeMethods.GetRlimit(RlimitNofile, out var limit) != 0)
        {
            return -1;
        }

        if (limit.Current >= (ulong)wanted)
        {
            return (long)limit.Current;
        }

        var raised = new RLimit { Current = (ulong)wanted, Maximum = Math.Max(limit.Maximum, (ulong)wanted) };
        if (NativeMethods.SetRlimit(RlimitNofile, ref raised) != 0)
        {
            raised = new RLimit { Current = Math.Min((ulong)wanted, limit.Maximum), Maximum = limit.Maximum };
            _ = NativeMethods.SetRlimit(RlimitNofile, ref raised);
        }

        return NativeMethods.GetRlimit(RlimitNofile, out limit) == 0 ? (long)limit.Current : -1;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);

        [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
        public static extern int GetRlimit(int resource, out RLimit limit);

        [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
        public static extern int SetRlimit(int resource, ref RLimit limit);
    }
}
