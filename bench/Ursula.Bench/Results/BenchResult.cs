using System.Globalization;
using System.Text.Json.Nodes;
using Ursula.Bench.Cli;

namespace Ursula.Bench.Results;

/// <summary>
/// The result of one verb run, serialised as a single JSON object:
/// { verb, label, workload, runId, startedUtc, host, params, metrics, details }.
/// "metrics" holds flat numbers (what 'report' tabulates); "details" holds anything structured.
/// </summary>
public sealed class BenchResult
{
    private readonly JsonObject _root;
    private readonly JsonObject _metrics = [];
    private readonly JsonObject _details = [];
    private readonly string _jsonPath;

    public BenchResult(ParsedArgs args, string runId, string defaultWorkload)
    {
        _jsonPath = args.String("json");
        var workload = args.String("workload");
        Label = args.String("label");
        Workload = workload.Length > 0 ? workload : defaultWorkload;
        _root = new JsonObject
        {
            ["verb"] = args.Verb.Name,
            ["label"] = Label,
            ["workload"] = Workload,
            ["runId"] = runId,
            ["startedUtc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["host"] = new JsonObject
            {
                ["machine"] = Environment.MachineName,
                ["cpus"] = Environment.ProcessorCount,
                ["os"] = Environment.OSVersion.ToString(),
                ["runtime"] = Environment.Version.ToString(),
            },
            ["params"] = args.ToJson(),
            ["metrics"] = _metrics,
            ["details"] = _details,
        };
    }

    public string Label { get; }

    public string Workload { get; }

    public void Metric(string name, double value) =>
        _metrics[name] = double.IsFinite(value) ? JsonValue.Create(value) : null;

    public void Detail(string name, JsonNode? value) => _details[name] = value;

    public double? GetMetric(string name) => _metrics[name]?.GetValue<double>();

    /// <summary>Prints all metrics, one per line, after the verb's own human-readable summary.</summary>
    public void PrintMetrics(TextWriter writer)
    {
        writer.WriteLine($"[{Label}] {Workload}");
        foreach (var (name, value) in _metrics)
        {
            var number = value?.GetValue<double>() ?? double.NaN;
            writer.WriteLine($"  {name,-28} {number.ToString("0.###", CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>Appends the result as one line to the --json file, if one was given.</summary>
    public void Save(TextWriter log)
    {
        if (_jsonPath.Length == 0)
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(_jsonPath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var line = _root.ToJsonString() + "\n";
        File.AppendAllText(_jsonPath, line);
        log.WriteLine($"result appended to {_jsonPath}");
    }
}
