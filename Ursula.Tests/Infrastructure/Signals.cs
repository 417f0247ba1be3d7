// POSIX signals for the fault tests: kill -9, freeze and thaw a process, or a whole process tree
// (a PostgreSQL server is a postmaster and the backends it forked).
using System.Runtime.InteropServices;

namespace Ursula.Tests.Infrastructure;

public static partial class Signals
{
    public const int Kill = 9;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    public static int Send(int pid, int signal) => NativeMethods.Kill(pid, signal);

    /// <summary>Signals <paramref name="pid"/> and every process descended from it; returns how many were signalled.</summary>
    public static int SendToTree(int pid, int signal)
    {
        var tree = Descendants(pid).Prepend(pid).ToList();
        // Parents first when stopping, so none forks while its children are being stopped.
        return tree.Count(p => Send(p, signal) == 0);
    }

    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && TryReadParent(directory, out var parent))
            {
                parents[pid] = parent;
            }
        }

        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }

        return found;
    }

    private static bool TryReadParent(string procDirectory, out int parent)
    {
        parent = 0;
        try
        {
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
            var stat = File.ReadAllText(Path.Combine(procDirectory, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 1 && int.TryParse(fields[1], out parent);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static partial class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
