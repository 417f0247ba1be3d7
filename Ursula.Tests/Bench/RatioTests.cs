using System.Text.Json.Nodes;
using Ursula.Bench.Report;

namespace Ursula.Tests.Bench;

[Trait("Category", "Unit")]
public sealed class RatioTests
{
    private static ResultRecord Run(string label, double appendsPerSec) =>
        new("append", "append s100 c64 p256B", label, new Dictionary<string, double> { ["appendsPerSec"] = appendsPerSec }, new JsonObject());

    [Fact]
    public void A_ratio_is_the_mean_of_one_label_over_the_mean_of_the_other()
    {
        var group = Assert.Single(WorkloadGroup.Build([Run("ursula-single", 12_000), Run("ref-memory", 16_000), Run("ursula-single", 13_000), Run("ref-memory", 18_000)]));

        var ratio = new LabelPair("ursula-single", "ref-memory").RatioIn(group, "appendsPerSec");

        Assert.NotNull(ratio);
        Assert.Equal(12_500.0 / 17_000, ratio.Value, 9);
    }

    [Fact]
    public void There_is_no_ratio_without_runs_of_both_labels_or_with_a_zero_denominator()
    {
        var group = Assert.Single(WorkloadGroup.Build([Run("ursula-single", 12_000), Run("ref-file", 0)]));

        Assert.Null(new LabelPair("ursula-single", "ref-memory").RatioIn(group, "appendsPerSec"));
        Assert.Null(new LabelPair("ursula-single", "ref-file").RatioIn(group, "appendsPerSec"));
        Assert.Null(new LabelPair("ursula-single", "ursula-single").RatioIn(group, "latP99Us"));
    }

    [Fact]
    public void Pairs_are_parsed_from_the_ratios_option()
    {
        Assert.Equal([new LabelPair("a", "b"), new LabelPair("c", "d")], LabelPair.ParseList("a/b, c/d"));
        Assert.Throws<Ursula.Bench.Cli.UsageException>(() => LabelPair.ParseList("a/"));
    }
}
