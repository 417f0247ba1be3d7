using Ursula.Bench.Compare.Wrk;
using Ursula.Bench.Http;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>Pre-created streams for wrk to append to (created with the C# client, outside any measurement).</summary>
public sealed class WrkAppends
{
    public const string ContentType = "application/octet-stream";

    private WrkAppends(string runId, string prefix, IReadOnlyList<string> urls)
    {
        RunId = runId;
        Prefix = prefix;
        Urls = urls;
    }

    public string RunId { get; }

    /// <summary>The path the streams are under, e.g. /bench/r2026...; stream i is PREFIX/s{i}.</summary>
    public string Prefix { get; }

    public IReadOnlyList<string> Urls { get; }

    public static async Task<WrkAppends> CreateAsync(HttpClient client, SessionContext context, string area, CancellationToken ct)
    {
        var runId = BenchHttp.NewRunId();
        var prefix = $"/{area}/{runId}";
        var baseUrl = context.System.LoadUrl.ToString();
        var urls = Enumerable.Range(0, context.Settings.Streams).Select(i => BenchHttp.Join(baseUrl, prefix, $"s{i}")).ToArray();
        await StreamApi.CreateManyAsync(client, urls, ContentType, 16, ct);
        return new WrkAppends(runId, prefix, urls);
    }

    public Task<WrkRun> RunAsync(SessionContext context, TimeSpan duration, CancellationToken ct)
    {
        var s = context.Settings;
        return context.Wrk.RunAsync(context.System.LoadUrl, Prefix, s.Streams, s.Payload, ContentType, s.Threads, s.Connections, duration, ct);
    }
}
