using Ursula.Bench.Compare;

namespace Ursula.Tests.Bench;

[Trait("Category", "Unit")]
public sealed class RunFlagsTests
{
    [Fact]
    public void A_clean_result_with_a_cheap_client_has_no_flags()
    {
        var flags = RunFlags.Evaluate(new Dictionary<string, double>
        {
            ["appendsPerSec"] = 17_000, ["errors"] = 0, ["loadgenCpuPct"] = 16.2, ["harnessCpuPct"] = 1.5, ["lostAppends"] = 0,
        }, cpuLimit: 0.25);

        Assert.Empty(flags);
    }

    [Fact]
    public void A_client_side_above_a_quarter_of_the_machine_is_flagged_counting_the_harness_too()
    {
        var flags = RunFlags.Evaluate(new Dictionary<string, double> { ["loadgenCpuPct"] = 22, ["harnessCpuPct"] = 4 }, cpuLimit: 0.25);

        var flag = Assert.Single(flags);
        Assert.Contains("26% of the machine", flag, StringComparison.Ordinal);
        Assert.Contains("load generator 22%", flag, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_requests_lost_data_and_failed_verification_are_each_flagged()
    {
        var flags = RunFlags.Evaluate(new Dictionary<string, double>
        {
            ["errors"] = 3, ["subscribersMissingData"] = 2, ["verified"] = 0, ["lostAppends"] = 5,
        }, cpuLimit: 0.25);

        Assert.Equal(4, flags.Count);
        Assert.Contains(flags, f => f.Contains("3 failed requests", StringComparison.Ordinal));
        Assert.Contains(flags, f => f.Contains("2 subscribers missed", StringComparison.Ordinal));
        Assert.Contains(flags, f => f.Contains("verification failed", StringComparison.Ordinal));
        Assert.Contains(flags, f => f.Contains("5 acknowledged appends missing", StringComparison.Ordinal));
    }
}
