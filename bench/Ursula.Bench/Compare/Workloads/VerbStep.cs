using System.Globalization;
using System.Text.Json.Nodes;
using Ursula.Bench.Http;
using Ursula.Bench.Results;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// One measured step done by a verb of this tool (child process), with the common options filled
/// in; the result's label is the system's unless <c>label</c> names a variant (e.g. its cold archive).
/// </summary>
public static class VerbStep
{
    public const string Generator = "Ursula.Bench (C#)";

    public static Task<BenchResult?> RunAsync(
        SessionContext context, string name, string verb, string workload, IReadOnlyList<string> args,
        Func<IReadOnlyDictionary<string, double>, string> summary, CancellationToken ct, string? label = null) =>
        context.MeasureAsync(name, async token =>
        {
            string[] all =
            [
                "--url", BenchHttp.Join(context.System.LoadUrl.ToString(), "bench"),
                "--label", label ?? context.System.Label,
                "--workload", workload,
                .. args,
            ];
            var run = await context.Verbs.RunAsync(verb, all, token);
            if (run.Result is not { } result)
            {
                return new Step(null, run.Harness, "", $"'{verb}' exited {run.ExitCode} without a result: {LastLine(run.Output)}");
            }

            result.Params["generator"] = Generator;
            var problem = run.ExitCode == 0 ? null : $"'{verb}' exited {run.ExitCode} (result kept): {LastLine(run.Output)}";
            return new Step(result, run.Harness, summary(result.Metrics), problem);
        }, ct);

    public static string Ms(IReadOnlyDictionary<string, double> metrics, string name) =>
        metrics.TryGetValue(name, out var us) ? (us / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " ms" : "-";

    public static string Number(IReadOnlyDictionary<string, double> metrics, string name, string format = "0.#") =>
        metrics.TryGetValue(name, out var value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    /// <summary>A JSON value for a parameter table (the report prints params as text).</summary>
    public static JsonNode Text(object value) => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture))!;
}
