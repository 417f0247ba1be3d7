// Runs the official conformance suite (@durable-streams/server-conformance-tests, pinned in
// suite/package-lock.json) with vitest against a node, and reads back its JSON report.
using System.Diagnostics;
using System.Text.Json;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Conformance;

public sealed record ConformanceResult(int Total, int Passed, int Failed, int Skipped, IReadOnlyList<string> Failures, string Log);

public enum SuiteScope
{
    All,
    NonSubscription,
    SubscriptionsOnly,
}

public static class ConformanceSuite
{
    /// <summary>The suite's tests outside its subscription block.</summary>
    public const int NonSubscriptionTests = 332;

    /// <summary>The tests of the subscription block ("Reserved subscription APIs").</summary>
    public const int SubscriptionTests = 6;

    /// <summary>Every test of the suite, its subscription block included.</summary>
    public const int AllTests = NonSubscriptionTests + SubscriptionTests;

    /// <summary>The name of the subscription block, which vitest's -t selects.</summary>
    public const string SubscriptionBlock = "Reserved subscription APIs";

    public static string SuiteDirectory { get; } = NpmPackageDirectory.Find("Ursula.Tests/Conformance/suite");

    /// <summary>Installs the pinned suite with npm ci when it is not installed yet.</summary>
    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(SuiteDirectory, "node_modules", "vitest", "package.json"))
            && File.Exists(Path.Combine(SuiteDirectory, "node_modules", "@durable-streams", "server-conformance-tests", "package.json")))
        {
            return;
        }

        var (code, log) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5), cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"npm ci failed in {SuiteDirectory}:\n{log}");
        }
    }

    /// <summary>
    /// Runs the suite against <paramref name="baseUrl"/>: every test (<see cref="SuiteScope.All"/>,
    /// the node must allow local http webhooks), only those outside the subscription block, or
    /// only the subscription block.
    /// </summary>
    public static async Task<ConformanceResult> RunAsync(Uri baseUrl, TimeSpan longPollTimeout, CancellationToken cancellationToken, SuiteScope scope = SuiteScope.All)
    {
        await EnsureInstalledAsync(cancellationToken);
        var report = Path.Combine(Path.GetTempPath(), $"ursula-conformance-{Guid.NewGuid():N}.json");
        var environment = new Dictionary<string, string>
        {
            ["CONFORMANCE_TEST_URL"] = baseUrl.ToString().TrimEnd('/'),
            ["CONFORMANCE_REPORT"] = report,
            ["CONFORMANCE_LONG_POLL_MS"] = ((int)longPollTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NO_COLOR"] = "1",
            ["CONFORMANCE_SUBSCRIPTIONS"] = scope == SuiteScope.NonSubscription ? "0" : "1",
        };
        var vitest = Path.Combine(SuiteDirectory, "node_modules", "vitest", "vitest.mjs");
        string[] args = scope == SuiteScope.SubscriptionsOnly ? [vitest, "run", "-t", SubscriptionBlock] : [vitest, "run"];
        var (_, log) = await RunAsync("node", args, environment, TimeSpan.FromMinutes(10), cancellationToken);
        if (!File.Exists(report))
        {
            throw new InvalidOperationException($"The suite wrote no report:\n{log}");
        }

        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(report, cancellationToken));
            var root = document.RootElement;
            var failures = new List<string>();
            foreach (var file in root.GetProperty("testResults").EnumerateArray())
            {
                foreach (var test in file.GetProperty("assertionResults").EnumerateArray())
                {
                    if (test.GetProperty("status").GetString() == "failed")
                    {
                        var message = test.GetProperty("failureMessages").EnumerateArray().Select(m => m.GetString()).FirstOrDefault() ?? string.Empty;
                        failures.Add($"{test.GetProperty("fullName").GetString()}: {message.Split('\n')[0]}");
                    }
                }
            }

            return new ConformanceResult(
                root.GetProperty("numTotalTests").GetInt32(),
                root.GetProperty("numPassedTests").GetInt32(),
                root.GetProperty("numFailedTests").GetInt32(),
                root.GetProperty("numPendingTests").GetInt32(),
                failures,
                log);
        }
        finally
        {
            File.Delete(report);
        }
    }

    private static async Task<(int Code, string Log)> RunAsync(string file, IEnumerable<string> args, Dictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = SuiteDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
