using System.Text.Json;
using System.Text.Json.Nodes;
using Ursula.Bench.Cli;

namespace Ursula.Bench.Report;

/// <summary>
/// Facts about the machine and the run (CPU, memory, kernel, versions, pinning), read from a JSON
/// object written by the driver script and shown in order as a two-column table. The report does
/// not interpret them, so a driver can add whatever a reader needs to judge the numbers.
/// </summary>
public static class MachineInfo
{
    public static IReadOnlyList<KeyValuePair<string, string>> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"machine file '{path}' not found");
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("not an object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new UsageException($"machine file '{path}' is not a JSON object: {e.Message}");
        }

        return
        [
            .. root.Select(p => new KeyValuePair<string, string>(
                p.Key,
                p.Value switch
                {
                    null => "",
                    JsonValue v when v.TryGetValue<string>(out var s) => s,
                    var other => other.ToJsonString(),
                })),
        ];
    }
}
