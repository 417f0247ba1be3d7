// An Ursula node as a real child process on a loopback port, so tests can kill -9, freeze and
// restart it exactly as an operator's machine would.
using System.Diagnostics;
using System.Text;

namespace Ursula.Tests.Infrastructure;

public sealed class NodeProcess : IAsyncDisposable
{
    private readonly StringBuilder output = new();
    private Process process;

    private readonly IReadOnlyDictionary<string, string> environment;

    private NodeProcess(Process process, Uri baseUrl, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        this.process = process;
        this.environment = environment;
        BaseUrl = baseUrl;
        Arguments = arguments;
        Attach(process);
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<string> Arguments { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts a node: --listen on the given port, the given data dir and PostgreSQL, plus extra args.</summary>
    public static NodeProcess Start(int port, string dataDir, string postgres, params string[] extra) =>
        Start(port, dataDir, postgres, extra, new Dictionary<string, string>());

    /// <summary>The same with extra environment variables for the node process (e.g. an <see cref="FsyncGate"/>).</summary>
    public static NodeProcess Start(int port, string dataDir, string postgres, IReadOnlyList<string> extra, IReadOnlyDictionary<string, string> environment)
    {
        var args = new List<string>
        {
            "serve", "--listen", $"127.0.0.1:{port}", "--data-dir", dataDir, "--postgres", postgres,
        };
        args.AddRange(extra);
        return new NodeProcess(Launch(args, environment), new Uri($"http://127.0.0.1:{port}"), args, environment);
    }

    /// <summary>Runs the server binary with <paramref name="args"/> (a verb that exits) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var none = new Dictionary<string, string>();
        await using var run = new NodeProcess(Launch(args, none), new Uri("http://127.0.0.1"), args, none);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        await run.process.WaitForExitAsync(limit.Token);
        // The last lines of output may still be in flight once the process is gone.
        run.process.WaitForExit();
        return (run.process.ExitCode, run.Output);
    }

    /// <summary>Starts the same node again (same arguments) after it stopped or was killed.</summary>
    public void Restart()
    {
        if (!process.HasExited)
        {
            throw new InvalidOperationException("The node is still running.");
        }

        process.Dispose();
        process = Launch(Arguments, environment);
        Attach(process);
    }

    public async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The node exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseUrl, "/_ursula/health"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The node at {BaseUrl} did not become healthy within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit();
        }
    }

    /// <summary>SIGTERM, then wait for a graceful exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (process.HasExited)
        {
            return;
        }

        _ = Signals.Send(process.Id, Signals.Terminate);
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>SIGSTOP: the process is frozen (no timers, no I/O) until <see cref="Thaw"/>.</summary>
    public void Freeze() => Signals.Send(process.Id, Signals.Stop);

    /// <summary>SIGCONT.</summary>
    public void Thaw() => Signals.Send(process.Id, Signals.Continue);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            Thaw();
            await StopAsync(TimeSpan.FromSeconds(10));
        }

        process.Dispose();
    }

    private static Process Launch(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ursula.Server.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Ursula"] = "Information";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the node.");
    }

    private void Attach(Process started)
    {
        started.OutputDataReceived += (_, e) => Append(e.Data);
        started.ErrorDataReceived += (_, e) => Append(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
