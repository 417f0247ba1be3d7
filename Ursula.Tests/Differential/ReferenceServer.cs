// The protocol's reference server (@durable-streams/server, pinned in bench/reference), in memory,
// as a child process: `node bench/reference/serve.mjs`, installed with npm ci when missing.
using System.Diagnostics;
using System.Text;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Differential;

public sealed class ReferenceServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ReferenceServer(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

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

    public static async Task<ReferenceServer> StartAsync(TimeSpan longPollTimeout, CancellationToken cancellationToken)
    {
        var directory = NpmPackageDirectory.Find("bench/reference");
        await NpmPackageDirectory.EnsureInstalledAsync(directory, Path.Combine("@durable-streams", "server", "package.json"), cancellationToken);
        var port = FreePort.Next();
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "serve.mjs", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--long-poll-ms", ((int)longPollTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var server = new ReferenceServer(Process.Start(info) ?? throw new InvalidOperationException("Could not start node."), new Uri($"http://127.0.0.1:{port}"));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.process.OutputDataReceived += (_, e) =>
        {
            server.Append(e.Data);
            if (e.Data?.StartsWith("ready ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        server.process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"The reference server did not start:\n{server.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
