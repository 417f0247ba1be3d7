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
    private readonly JsonObject _metrics;
    private readonly JsonObject _details;
    private readonly string _jsonPath;

    public BenchResult(ParsedArgs args, string runId, string defaultWorkload)
        : this(
            args.Verb.Name,
            args.String("label"),
            args.String("workload") is { Length: > 0 } workload ? workload : defaultWorkload,
            runId,
            args.ToJson(),
            args.String("json"))
    {
    }

    /// <summary>A result the harness writes itself (e.g. of a wrk run), in the same shape as a verb's.</summary>
    public BenchResult(string verb, string label, string workload, string runId, JsonObject parameters, string jsonPath)
    {
        _jsonPath = jsonPath;
        Label = label;
        Workload = workload;
        _metrics = [];
        _details = [];
        _root = new JsonObject
        {
            ["verb"] = verb,
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
            ["params"] = parameters,
            ["metrics"] = _metrics,
            ["details"] = _details,
        };
    }

    private BenchResult(JsonObject root, string jsonPath)
    {
        _root = root;
        _jsonPath = jsonPath;
        Label = root["label"]?.GetValue<string>() ?? "default";
        Workload = root["workload"]?.GetValue<string>() ?? "";
        _metrics = root["metrics"] as JsonObject ?? [];
        _details = root["details"] as JsonObject ?? [];
        root["metrics"] = _metrics;
        root["details"] = _details;
    }

    /// <summary>A result read back from a JSON line (a verb's output), to be completed and saved elsewhere.</summary>
    public static BenchResult FromJson(JsonObject root, string jsonPath) => new(root, jsonPath);

    public string Label { get; }

    public string Workload { get; }

    public void Metric(string name, double value) =>
        _metrics[name] = double.IsFinite(value) ? JsonValue.Create(value) : null;

    public void Detail(string name, JsonNode? value) => _details[name] = value;

    public double? GetMetric(string name) => _metrics[name]?.GetValue<double>();

    /// <summary>Every numeric metric (null ones left out).</summary>
    public IReadOnlyDictionary<string, double> Metrics =>
        _metrics.Where(m => m.Value is not null).ToDictionary(m => m.Key, m => m.Value!.GetValue<double>(), StringComparer.Ordinal);

    public JsonObject Params => _root["params"] as JsonObject ?? [];

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

        SaveTo(_jsonPath, log);
    }

    /// <summary>Appends the result as one line to <paramref name="path"/>.</summary>
    public void SaveTo(string path, TextWriter log)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var line = _root.ToJsonString() + "\n";
        File.AppendAllText(path, line);
        log.WriteLine($"result appended to {path}");
    }
}
