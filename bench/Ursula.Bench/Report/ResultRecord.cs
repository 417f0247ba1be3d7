using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ursula.Bench.Report;

/// <summary>One line of a results file, reduced to what 'report' needs.</summary>
public sealed record ResultRecord(
    string Verb, string Workload, string Label, IReadOnlyDictionary<string, double> Metrics, JsonObject Params)
{
    /// <summary>Loads every JSON line of the given files; malformed lines are reported and skipped.</summary>
    public static List<ResultRecord> Load(IEnumerable<string> paths, TextWriter log)
    {
        var records = new List<ResultRecord>();
        foreach (var path in paths)
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    records.Add(Parse(JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("not an object")));
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
                {
                    log.WriteLine($"skipping {path}:{lineNumber}: {e.Message}");
                }
            }
        }

        return records;
    }

    private static ResultRecord Parse(JsonObject root)
    {
        var verb = root["verb"]?.GetValue<string>() ?? throw new JsonException("missing 'verb'");
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (root["metrics"] is JsonObject metricObject)
        {
            foreach (var (name, value) in metricObject)
            {
                if (value is JsonValue number && number.TryGetValue<double>(out var d))
                {
                    metrics[name] = d;
                }
            }
        }

        return new ResultRecord(
            verb,
            root["workload"]?.GetValue<string>() ?? verb,
            root["label"]?.GetValue<string>() ?? "default",
            metrics,
            root["params"] as JsonObject ?? []);
    }
}
