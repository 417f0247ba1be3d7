using System.Text.Json.Nodes;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Metrics;
using Ursula.Bench.Results;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// Runs one of this tool's own load verbs (append, fanout, catchup) as a child process, for the
/// workloads wrk cannot do (open-loop pacing, SSE, verified reads). The child measures its own CPU
/// over its measured window (loadgenCpuPct); its JSON result comes back through a file.
/// </summary>
public sealed class BenchVerbRunner(string workDirectory, string logPath)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public async Task<VerbRun> RunAsync(string verb, IReadOnlyList<string> args, CancellationToken ct)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this tool's executable");
        var json = Path.Combine(workDirectory, $"verb-{Guid.NewGuid():N}.jsonl");
        var cpu = CpuWindow.Start();
        var (exitCode, output) = await ChildProcess.RunToExitAsync(verb, self, [verb, .. args, "--json", json], logPath, Limit, ct);
        var window = cpu.Stop();
        BenchResult? result = null;
        if (File.Exists(json))
        {
            var line = (await File.ReadAllLinesAsync(json, ct)).LastOrDefault(l => l.Length > 0);
            File.Delete(json);
            if (line is not null && JsonNode.Parse(line) is JsonObject root)
            {
                result = BenchResult.FromJson(root, "");
            }
        }

        return new VerbRun(result, exitCode, window.Self, output);
    }
}

/// <param name="Harness">this process's CPU while the verb ran</param>
public sealed record VerbRun(BenchResult? Result, int ExitCode, CpuShare Harness, string Output);
