using Ursula.Bench.Http;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// The unmeasured start of every session: wrk appends for --warmup, so that no measured run pays
/// for a freshly started server's JIT (.NET tiers, V8) or its first allocations.
/// </summary>
public static class WarmUp
{
    public static async Task RunAsync(SessionContext context, CancellationToken ct)
    {
        if (context.Settings.Warmup <= TimeSpan.Zero)
        {
            return;
        }

        using var client = BenchHttp.Create(32, TimeSpan.FromSeconds(30));
        var streams = await WrkAppends.CreateAsync(client, context, "warmup", ct);
        var run = await streams.RunAsync(context, context.Settings.Warmup, ct);
        context.Log.Line(run.Result is { } r
            ? $"  warm-up: {r.SucceededPerSecond:0} appends/s for {r.DurationSeconds:0.#}s (not measured)"
            : $"  warm-up: wrk printed no result (exit {run.ExitCode})");
    }
}
