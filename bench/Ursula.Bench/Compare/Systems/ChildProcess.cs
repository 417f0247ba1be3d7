using System.Diagnostics;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// A process the harness starts: its output goes to a log file (with arrival times, so that node
/// events can be matched to runs), it is stopped with SIGTERM and a grace period, then SIGKILL of
/// its whole tree. Every instance stops in <see cref="DisposeAsync"/>, so a failure or Ctrl+C
/// anywhere leaves nothing running.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private readonly List<string> _recent = [];
    private bool _logClosed;

    private ChildProcess(Process process, StreamWriter log, string name)
    {
        _process = process;
        _log = log;
        Name = name;
        Pid = process.Id;
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="file"/> with the arguments and extra environment; output appended to <paramref name="logPath"/>.</summary>
    public static ChildProcess Start(
        string name, string file, IEnumerable<string> arguments, string logPath,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = StartInfo(file, arguments, environment, workingDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"# {DateTime.UtcNow:HH:mm:ss.fff} start {file} {string.Join(' ', info.ArgumentList)}");
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        }
        catch
        {
            log.Dispose();
            throw;
        }

        process.StandardInput.Close();
        return new ChildProcess(process, log, name);
    }

    /// <summary>Runs a process to its exit (at most <paramref name="limit"/>, then it is stopped and this throws).</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(
        string name, string file, IEnumerable<string> arguments, string logPath, TimeSpan limit, CancellationToken ct)
    {
        var process = Start(name, file, arguments, logPath);
        await using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"{name} did not finish within {limit.TotalSeconds:0}s");
            }

            return (process.ExitCode, process.Tail(100));
        }
    }

    /// <summary>Redirected output and input, no shell, the given environment on top of this one.</summary>
    public static ProcessStartInfo StartInfo(
        string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>The last lines of output (for error messages).</summary>
    public string Tail(int lines = 30)
    {
        lock (_gate)
        {
            return string.Join('\n', _recent.TakeLast(lines));
        }
    }

    /// <summary>Whether a line containing <paramref name="text"/> was printed (among the recent lines).</summary>
    public bool Printed(string text)
    {
        lock (_gate)
        {
            return _recent.Any(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>SIGTERM, up to <paramref name="grace"/> for a clean exit, then SIGKILL of the process and its descendants.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            Posix.Signal(Pid, Posix.SigTerm);
            using var wait = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Write($"# not stopped after {grace.TotalSeconds:0}s: SIGKILL to the process tree");
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Exited in the meantime.
                }

                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        // The asynchronous readers deliver the last lines after the exit.
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(30));
        lock (_gate)
        {
            _logClosed = true;
            _log.Dispose();
        }

        _process.Dispose();
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _recent.Add(line);
            if (_recent.Count > 400)
            {
                _recent.RemoveRange(0, 200);
            }

            if (!_logClosed)
            {
                _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            }
        }
    }
}
