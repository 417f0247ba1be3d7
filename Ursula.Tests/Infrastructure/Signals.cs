// POSIX signals for the fault tests: kill -9, freeze and thaw a process, or a whole process tree
// (a PostgreSQL server is a postmaster and the backends it forked).
using System.Runtime.InteropServices;
using Ursula.Bench.Metrics;

namespace Ursula.Tests.Infrastructure;

public static partial class Signals
{
    public const int Kill = 9;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    public static int Send(int pid, int signal) => NativeMethods.Kill(pid, signal);

    /// <summary>Signals <paramref name="pid"/> and every process descended from it (parents first); returns how many were signalled.</summary>
    public static int SendToTree(int pid, int signal) =>
        ProcFs.SelfAndDescendants(pid, ProcFs.ReadParentMap()).Count(p => Send(p, signal) == 0);

    private static partial class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
