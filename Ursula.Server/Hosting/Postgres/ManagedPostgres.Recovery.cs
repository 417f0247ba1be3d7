// Crash handling: reclaiming a cluster that a killed node left behind, and stopping postmasters with escalation.
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres
{
    private const int SigInt = 2;
    private const int SigQuit = 3;
    private const int SigKill = 9;
    private static readonly TimeSpan EscalationTimeout = TimeSpan.FromSeconds(10);

    private static bool IsRoot => geteuid() == 0;

    /// <summary>
    /// Makes the cluster startable after an unclean end of the previous node: stops PostgreSQL processes still
    /// running on it, then removes the pid and socket files they left.
    /// </summary>
    /// <remarks>
    /// Every PostgreSQL process works inside its data directory, so "a process whose cwd is the cluster" finds
    /// the postmaster and any backends it orphaned, without trusting the PID in postmaster.pid (PIDs are reused,
    /// especially in containers). Holding the node lock means none of them belongs to a live node. Once none is
    /// left, nothing uses the old shared memory and the pid file is safe to delete.
    /// </remarks>
    [SupportedOSPlatform("linux")]
    private static async Task ReclaimAsync(ClusterLayout layout, TimeSpan stopTimeout, ILogger logger, CancellationToken cancellationToken)
    {
        if (Directory.Exists(layout.ClusterDirectory))
        {
            var cluster = RealPath(layout.ClusterDirectory);
            var leftovers = ProcessesWorkingIn(cluster);
            if (leftovers.Count > 0)
            {
                ManagedPostgresLog.LeftoverProcesses(logger, string.Join(", ", leftovers), layout.ClusterDirectory);
                if (ReadPidFile(layout, requireReady: false) is int postmaster && leftovers.Contains(postmaster))
                {
                    Signal(postmaster, SigInt);
                    if (!await WaitUntilNoneWorkIn(cluster, stopTimeout, cancellationToken))
                    {
                        ManagedPostgresLog.Escalating(logger, postmaster, stopTimeout, "SIGQUIT");
                        Signal(postmaster, SigQuit);
                    }
                }

                // Without a postmaster, orphaned backends exit by themselves once they notice; give them a moment.
                if (!await WaitUntilNoneWorkIn(cluster, EscalationTimeout, cancellationToken))
                {
                    var stubborn = ProcessesWorkingIn(cluster);
                    ManagedPostgresLog.KillingLeftovers(logger, string.Join(", ", stubborn));
                    stubborn.ForEach(pid => Signal(pid, SigKill));
                    if (!await WaitUntilNoneWorkIn(cluster, EscalationTimeout, cancellationToken))
                    {
                        throw new InvalidOperationException(
                            $"Processes {string.Join(", ", ProcessesWorkingIn(cluster))} keep running in {cluster}; stop them and retry.");
                    }
                }
            }

            DeleteStale(layout.PidFile, logger);
        }

        // Only safe because the socket directory is private to this cluster and no postmaster runs on it now.
        DeleteStale(layout.SocketFile, logger);
        DeleteStale(layout.SocketFile + ".lock", logger);
    }

    /// <summary>Fast shutdown, then immediate shutdown, then SIGKILL, each after a timeout.</summary>
    private static async Task TerminateAsync(Child child, int postmasterPid, TimeSpan stopTimeout, ILogger logger)
    {
        Signal(postmasterPid, SigInt);
        if (await CompletesWithin(child.Exited, stopTimeout))
        {
            return;
        }

        ManagedPostgresLog.Escalating(logger, postmasterPid, stopTimeout, "SIGQUIT");
        Signal(postmasterPid, SigQuit);
        if (await CompletesWithin(child.Exited, EscalationTimeout))
        {
            return;
        }

        ManagedPostgresLog.Escalating(logger, postmasterPid, EscalationTimeout, "SIGKILL");
        Signal(postmasterPid, SigKill);
        child.Kill();
        await CompletesWithin(child.Exited, EscalationTimeout);
    }

    /// <summary>The postmaster PID from postmaster.pid; with <paramref name="requireReady"/>, only once it accepts connections.</summary>
    private static int? ReadPidFile(ClusterLayout layout, bool requireReady)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(layout.PidFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // Line 8 holds the postmaster status ("starting", "ready", "stopping", ...), as read by pg_ctl -w.
        var ready = lines.Length >= 8 && lines[7].Trim() == "ready";
        return lines.Length > 0 && int.TryParse(lines[0], out var pid) && pid > 0 && (ready || !requireReady) ? pid : null;
    }

    private static List<int> ProcessesWorkingIn(string directory)
    {
        var result = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                // Zombies and processes of other users (when not root) have no readable cwd and are skipped.
                if (new DirectoryInfo(Path.Combine(entry, "cwd")).LinkTarget == directory)
                {
                    result.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return result;
    }

    private static async Task<bool> WaitUntilNoneWorkIn(string directory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ProcessesWorkingIn(directory).Count > 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(100, cancellationToken);
        }

        return true;
    }

    private static async Task<bool> CompletesWithin(Task task, TimeSpan timeout) =>
        await Task.WhenAny(task, Task.Delay(timeout)) == task;

    private static void DeleteStale(string path, ILogger logger)
    {
        if (File.Exists(path))
        {
            ManagedPostgresLog.RemovingStaleFile(logger, path);
            File.Delete(path);
        }
    }

    private static void Signal(int pid, int signal)
    {
        // ESRCH (already gone) is the only expected failure, and harmless.
        _ = kill(pid, signal);
    }

    private static string RealPath(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            throw new IOException($"realpath({path}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved)!;
        }
        finally
        {
            free(resolved);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolvedPath);

    [DllImport("libc")]
    private static extern void free(IntPtr pointer);
}
