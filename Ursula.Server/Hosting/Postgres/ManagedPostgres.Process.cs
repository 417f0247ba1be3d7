// Child-process plumbing: running PostgreSQL tools as the right OS user, with their lifetime tied to the node's.
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres
{
    // Service managers often run with a PATH that lacks the sbin directories, where runuser lives.
    private static readonly string[] StandardExecutableDirectories =
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>Builds command lines that run as the service account (root) or as ourselves (non-root).</summary>
    private sealed class Launcher(OsAccount? account, string? setpriv, string? runuser, string? su)
    {
        public OsAccount? Account => account;

        public string UserName => account?.Name ?? Environment.UserName;

        public static Launcher Create(OsAccount? account)
        {
            var setprivPath = FindExecutable("setpriv");
            var runuserPath = FindExecutable("runuser");
            var suPath = FindExecutable("su");
            if (account is not null && setprivPath is null && runuserPath is null && suPath is null)
            {
                throw new InvalidOperationException(
                    $"Running as root, but none of setpriv, runuser or su is available to run PostgreSQL as '{account.Name}'; install util-linux.");
            }

            return new Launcher(account, setprivPath, runuserPath, suPath);
        }

        public static ProcessStartInfo AsSelf(string executable, IEnumerable<string> arguments)
        {
            var startInfo = new ProcessStartInfo(executable)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                // Neutral, and reachable by the service account whatever the node's own working directory is.
                WorkingDirectory = "/",
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            // Libpq-style variables (PGDATA, PGPORT, PGHOST, ...) must not redirect the tools elsewhere.
            foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            {
                startInfo.Environment.Remove(name);
            }

            return startInfo;
        }

        /// <param name="parentDeathSignal">
        /// Signal the kernel sends the process when the node dies (PR_SET_PDEATHSIG); needs setpriv.
        /// </param>
        public ProcessStartInfo AsServiceUser(string executable, IEnumerable<string> arguments, string? parentDeathSignal = null)
        {
            List<string> prefix = [];
            string fileName;
            if (account is null)
            {
                if (setpriv is null || parentDeathSignal is null)
                {
                    return AsSelf(executable, arguments);
                }

                fileName = setpriv;
                prefix.AddRange(["--pdeathsig", parentDeathSignal, "--", executable]);
            }
            else if (setpriv is not null)
            {
                // setpriv execs in place, so the PID we hold is the postmaster itself and signals reach it directly.
                fileName = setpriv;
                prefix.AddRange([$"--reuid={account.Uid}", $"--regid={account.Gid}", "--init-groups"]);
                if (parentDeathSignal is not null)
                {
                    prefix.AddRange(["--pdeathsig", parentDeathSignal]);
                }

                prefix.AddRange(["--", executable]);
            }
            else if (runuser is not null)
            {
                fileName = runuser;
                prefix.AddRange(["-u", account.Name, "--", executable]);
            }
            else
            {
                // The account's login shell may be nologin; "$0" "$@" passes the arguments through unquoted.
                fileName = su!;
                prefix.AddRange(["-s", "/bin/sh", "-c", "exec \"$0\" \"$@\"", account.Name, "--", executable]);
            }

            var startInfo = AsSelf(fileName, prefix.Concat(arguments));
            if (account is not null)
            {
                startInfo.Environment["HOME"] = account.Home;
                startInfo.Environment["USER"] = account.Name;
                startInfo.Environment["LOGNAME"] = account.Name;
            }

            return startInfo;
        }
    }

    /// <summary>A child process whose output is captured (last lines) and optionally streamed.</summary>
    private sealed class Child(Process process)
    {
        private const int TailLines = 40;
        private readonly ConcurrentQueue<string> _tail = new();
        private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Pid { get; private set; }

        public Task<int> Exited => _exited.Task;

        public string Output => string.Join('\n', _tail);

        public static Task<Child> StartAsync(ProcessStartInfo startInfo, Action<string>? onLine)
        {
            var started = new TaskCompletionSource<Child>(TaskCreationOptions.RunContinuationsAsynchronously);
            // PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process. Thread-pool
            // threads come and go, so each child is forked from, and waited on by, a thread of its own.
            var thread = new Thread(() => Run(startInfo, onLine, started)) { IsBackground = true, Name = "postgres-child" };
            thread.Start();
            return started.Task;
        }

        public void Kill()
        {
            try
            {
                if (!Exited.IsCompleted)
                {
                    process.Kill();
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        private static void Run(ProcessStartInfo startInfo, Action<string>? onLine, TaskCompletionSource<Child> started)
        {
            using var process = new Process { StartInfo = startInfo };
            var child = new Child(process);
            var outputClosed = new TaskCompletionSource();
            var errorClosed = new TaskCompletionSource();
            process.OutputDataReceived += (_, e) => child.Receive(e.Data, outputClosed, onLine);
            process.ErrorDataReceived += (_, e) => child.Receive(e.Data, errorClosed, onLine);
            try
            {
                process.Start();
            }
            catch (Exception ex)
            {
                started.SetException(new InvalidOperationException($"Could not start {startInfo.FileName}: {ex.Message}", ex));
                return;
            }

            child.Pid = process.Id;
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            started.SetResult(child);

            // A finite timeout: the parameterless WaitForExit also waits for EOF on the pipes, which backends
            // orphaned by a killed postmaster keep open.
            while (!process.WaitForExit(int.MaxValue))
            {
            }

            Task.WhenAll(outputClosed.Task, errorClosed.Task).Wait(TimeSpan.FromSeconds(2));
            child._exited.SetResult(process.ExitCode);
        }

        private void Receive(string? line, TaskCompletionSource closed, Action<string>? onLine)
        {
            if (line is null)
            {
                closed.TrySetResult();
                return;
            }

            _tail.Enqueue(line);
            while (_tail.Count > TailLines && _tail.TryDequeue(out _))
            {
            }

            try
            {
                onLine?.Invoke(line);
            }
            catch (Exception)
            {
                // This runs on a pipe-reader thread, where an exception (say, from a disposed logger) would
                // take the whole node down; losing a log line is the lesser evil.
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunToCompletionAsync(
        ProcessStartInfo startInfo, CancellationToken cancellationToken)
    {
        var child = await Child.StartAsync(startInfo, onLine: null);
        try
        {
            var exitCode = await child.Exited.WaitAsync(cancellationToken);
            return (exitCode, child.Output);
        }
        catch (OperationCanceledException)
        {
            child.Kill();
            throw;
        }
    }

    private static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(StandardExecutableDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    private static string RequireExecutable(string name) =>
        FindExecutable(name) ?? throw new InvalidOperationException($"Required executable '{name}' was not found.");
}
