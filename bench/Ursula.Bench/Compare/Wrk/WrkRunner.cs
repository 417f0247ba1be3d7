using System.Globalization;
using System.Reflection;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Compare.Wrk;

/// <summary>
/// Runs wrk with append.lua (embedded in this assembly, written next to the logs) and measures its
/// CPU exactly: the kernel adds an exited child's user and system time to its parent once the
/// parent reaps it, so the harness's children time before and after one wrk run is that run's CPU.
/// </summary>
public sealed class WrkRunner(string workDirectory, string logPath)
{
    private readonly string _script = WriteScript(workDirectory);

    public const string Executable = "wrk";

    /// <summary>One wrk run; null result when wrk printed no result line (its output is in the log).</summary>
    public async Task<WrkRun> RunAsync(
        Uri baseUrl, string pathPrefix, int streams, int payload, string contentType,
        int threads, int connections, TimeSpan duration, CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        string[] args =
        [
            "-t", threads.ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{seconds.ToString(CultureInfo.InvariantCulture)}s",
            "--timeout", "10s",
            "-s", _script,
            baseUrl.ToString().TrimEnd('/'),
            "--", pathPrefix, streams.ToString(CultureInfo.InvariantCulture), payload.ToString(CultureInfo.InvariantCulture), contentType,
        ];
        var cpu = CpuWindow.Start();
        var (exitCode, output) = await ChildProcess.RunToExitAsync("wrk", Executable, args, logPath, TimeSpan.FromSeconds(seconds + 60), ct);
        // Reaped by now, so its CPU is in this process's children time.
        var window = cpu.Stop();
        return new WrkRun(WrkResult.Parse(output), exitCode, window.Children, window.Self, output);
    }

    /// <summary>wrk's version ("wrk debian/4.1.0-3+b2 [epoll]"), or null if wrk is not installed.</summary>
    public static async Task<string?> VersionAsync(CancellationToken ct) =>
        WrkResult.VersionFrom(await Shell.CaptureAsync(Executable, ["-v"], ct) ?? "");

    private static string WriteScript(string directory)
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("append.lua")
            ?? throw new InvalidOperationException("append.lua is not embedded in the bench assembly");
        using var reader = new StreamReader(resource);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "append.lua");
        File.WriteAllText(path, reader.ReadToEnd());
        return path;
    }
}

/// <param name="Result">the parsed "wrk-result" line, null if wrk failed before printing it</param>
/// <param name="Loadgen">wrk's own CPU over its run</param>
/// <param name="Harness">this process's CPU over the same interval</param>
public sealed record WrkRun(WrkResult? Result, int ExitCode, CpuShare Loadgen, CpuShare Harness, string Output);
