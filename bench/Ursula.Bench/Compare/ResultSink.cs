using Ursula.Bench.Results;

namespace Ursula.Bench.Compare;

/// <summary>
/// Where the run's results go: one JSON line each in RUN_DIR/results.jsonl, plus what was
/// flagged and what failed (both end up in machine.json and the closing summary).
/// </summary>
public sealed class ResultSink(string jsonlPath, TextWriter quiet)
{
    public string Path { get; } = jsonlPath;

    public List<string> Flagged { get; } = [];

    public List<string> Failures { get; } = [];

    public int Count { get; private set; }

    public void Add(BenchResult result, string session, IReadOnlyList<string> flags)
    {
        result.SaveTo(Path, quiet);
        Count++;
        foreach (var flag in flags)
        {
            Flagged.Add($"{session}, {result.Workload}: {flag}");
        }
    }

    public void Fail(string text) => Failures.Add(text);
}
