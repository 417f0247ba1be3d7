using System.Globalization;
using Ursula.Bench.Cli;

namespace Ursula.Bench.Metrics;

/// <summary>
/// A process whose memory is sampled during a workload. <see cref="Tree"/> means the PID and all
/// its descendants are summed (e.g. a PostgreSQL postmaster and its backends).
/// </summary>
public sealed record WatchTarget(string Name, int Pid, bool Tree)
{
    /// <summary>Parses "1234,5678" or "server=1234,pg=5678" (names keep report columns stable across runs).</summary>
    public static IReadOnlyList<WatchTarget> Parse(string text, bool tree)
    {
        var targets = new List<WatchTarget>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? part[..eq] : "";
            var pidText = eq > 0 ? part[(eq + 1)..] : part;
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            {
                throw new UsageException($"invalid PID '{pidText}' in '{text}'");
            }

            targets.Add(new WatchTarget(name.Length > 0 ? name : $"pid{pid}", pid, tree));
        }

        return targets;
    }
}
