using System.Globalization;

namespace Ursula.Bench.Compare;

/// <summary>
/// Why a result should not be read at face value: the client side took more than the limit of the
/// machine (it then measures itself as much as the server), requests failed, subscribers missed
/// acknowledged data, read-back or catch-up verification failed. The result is kept either way;
/// the flags go into its details, the console summary and machine.json.
/// </summary>
public static class RunFlags
{
    public const string LoadgenCpu = "loadgenCpuPct";
    public const string HarnessCpu = "harnessCpuPct";

    public static IReadOnlyList<string> Evaluate(IReadOnlyDictionary<string, double> metrics, double cpuLimit)
    {
        var flags = new List<string>();
        var loadgen = metrics.GetValueOrDefault(LoadgenCpu);
        var harness = metrics.GetValueOrDefault(HarnessCpu);
        if ((loadgen + harness) / 100 > cpuLimit)
        {
            flags.Add(string.Create(CultureInfo.InvariantCulture,
                $"client side used {loadgen + harness:0.#}% of the machine (load generator {loadgen:0.#}%, harness {harness:0.#}%), above the {cpuLimit * 100:0}% limit"));
        }

        if (metrics.GetValueOrDefault("errors") is > 0 and var errors)
        {
            flags.Add(string.Create(CultureInfo.InvariantCulture, $"{errors:0} failed requests"));
        }

        if (metrics.GetValueOrDefault("subscribersMissingData") is > 0 and var missing)
        {
            flags.Add(string.Create(CultureInfo.InvariantCulture, $"{missing:0} subscribers missed acknowledged data"));
        }

        if (metrics.TryGetValue("verified", out var verified) && verified < 1)
        {
            flags.Add("content verification failed");
        }

        if (metrics.GetValueOrDefault("lostAppends") is > 0 and var lost)
        {
            flags.Add(string.Create(CultureInfo.InvariantCulture, $"{lost:0} acknowledged appends missing on read-back"));
        }

        return flags;
    }
}
