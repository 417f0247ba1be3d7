using System.Globalization;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// One Ursula node process with its managed PostgreSQL (started by the node in its data dir, as a
/// child of the node; its postmaster PID is read from postmaster.pid so that its tree can be
/// watched and, should the node die without stopping it, stopped).
/// </summary>
public sealed class UrsulaNode(string name, int port, string dataDirectory, string logPath, ChildProcess process)
{
    public string Name { get; } = name;

    public int Port { get; } = port;

    public Uri Url { get; } = new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");

    public string DataDirectory { get; } = dataDirectory;

    public string LogPath { get; } = logPath;

    public ChildProcess Process { get; } = process;

    public int PostmasterPid { get; private set; }

    public static UrsulaNode Start(
        SystemEnvironment env, string name, int port, string dataDirectory, IEnumerable<string> extra, string logPath,
        IReadOnlyDictionary<string, string>? variables = null)
    {
        string[] args = ["serve", "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--data-dir", dataDirectory, .. extra];
        var environment = new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production" };
        foreach (var (key, value) in variables ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return new UrsulaNode(name, port, dataDirectory, logPath, ChildProcess.Start(name, env.UrsulaServer, args, logPath, environment));
    }

    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        await Readiness.WaitForHttpOkAsync(Process, new Uri(Url, "/_ursula/health"), timeout, ct);
        PostmasterPid = await ReadPostmasterPidAsync(ct);
    }

    public IEnumerable<WatchTarget> WatchTargets(string serverName, string postgresName)
    {
        yield return new WatchTarget(serverName, Process.Pid, Tree: false);
        if (PostmasterPid > 0)
        {
            yield return new WatchTarget(postgresName, PostmasterPid, Tree: true);
        }
    }

    public async Task StopAsync()
    {
        // SIGTERM: the node flushes, then stops its PostgreSQL. A postmaster left behind by a node
        // that had to be killed gets a fast shutdown (SIGINT), then SIGKILL.
        await Process.DisposeAsync();
        if (PostmasterPid > 0 && Posix.IsAlive(PostmasterPid))
        {
            Posix.Signal(PostmasterPid, Posix.SigInt);
            for (var i = 0; i < 100 && Posix.IsAlive(PostmasterPid); i++)
            {
                await Task.Delay(100, CancellationToken.None);
            }

            Posix.Signal(PostmasterPid, Posix.SigKill);
        }
    }

    private async Task<int> ReadPostmasterPidAsync(CancellationToken ct)
    {
        var file = Path.Combine(DataDirectory, "postgres", "postmaster.pid");
        for (var i = 0; i < 40; i++)
        {
            if (File.Exists(file)
                && (await File.ReadAllLinesAsync(file, ct)).FirstOrDefault() is { } first
                && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }

            await Task.Delay(250, ct);
        }

        throw new InvalidOperationException($"{Name}: no PostgreSQL postmaster.pid in {file}");
    }
}
