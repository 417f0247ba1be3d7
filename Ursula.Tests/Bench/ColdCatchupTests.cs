using Ursula.Bench.Compare;
using Ursula.Bench.Compare.Systems;
using Ursula.Bench.Compare.Workloads;
using Ursula.Bench.Report;

namespace Ursula.Tests.Bench;

[Trait("Category", "Unit")]
public sealed class ColdCatchupTests
{
    [Fact]
    public void The_archive_section_of_a_health_answer_is_read()
    {
        const string json = """
            {"status":"ok","problem":null,"leaderKnown":true,"appliedIndex":42,"streams":2,
             "archive":{"hotBytes":0,"objectsWritten":3,"rangesArchived":5,"objectsCompacted":0,"failing":null}}
            """;

        var progress = ArchiveProgress.Parse(json);

        Assert.Equal(new ArchiveProgress(0, 3, 5, null), progress);
        Assert.True(progress!.NothingHot);
    }

    [Fact]
    public void Bytes_left_a_failing_archiver_or_a_missing_count_are_not_nothing_hot()
    {
        Assert.False(ArchiveProgress.Parse("""{"archive":{"hotBytes":65536,"objectsWritten":0,"rangesArchived":0}}""")!.NothingHot);
        Assert.False(ArchiveProgress.Parse("""{"archive":{"hotBytes":0,"failing":"S3 PUT returned 500"}}""")!.NothingHot);
        Assert.False(ArchiveProgress.Parse("""{"archive":{"objectsWritten":1}}""")!.NothingHot);
        Assert.Null(ArchiveProgress.Parse("""{"status":"ok","streams":0}"""));
    }

    [Fact]
    public void The_archiving_node_gets_its_store_and_archives_at_once()
    {
        var fs = ColdCatchup.Arguments(ColdStore.Filesystem, "/tmp/a", null, 1 << 20);
        var s3 = ColdCatchup.Arguments(ColdStore.S3, "/tmp/a", new Uri("http://127.0.0.1:14457/"), 1 << 20);

        Assert.Equal(["--archive-dir", "/tmp/a", "--hot-window-bytes", "0", "--archive-interval", "0.5", "--archive-max-delay", "0.5", "--archive-object-bytes", "1048576"], fs);
        Assert.Equal(["--s3-bucket", ColdCatchup.Bucket, "--s3-endpoint", "http://127.0.0.1:14457", "--s3-region", "us-east-1", "--s3-prefix", "cold"], s3.Take(8));
        Assert.DoesNotContain("--archive-dir", s3);
    }

    [Fact]
    public void Workload_families_expand_and_unknown_names_are_refused()
    {
        Assert.Equal(["hot-catchup", "cold-catchup-fs", "cold-catchup-s3"], WorkloadCatalog.Select(["catchup"]));
        Assert.Equal(["hot-catchup", "cold-catchup-fs"], WorkloadCatalog.Select(["Hot-Catchup", "cold-catchup-fs", "hot-catchup"]));
        Assert.Equal(["all"], WorkloadCatalog.Select(["all"]));
        Assert.Throws<Ursula.Bench.Cli.UsageException>(() => WorkloadCatalog.Select(["cold-catchup-nfs"]));
    }

    [Fact]
    public void Cold_results_are_compared_with_the_hot_catchup_of_the_same_node()
    {
        var pairs = RunReport.Pairs([SystemCatalog.UrsulaSingle, SystemCatalog.RefMemory], _ => true);
        var hotOnly = RunReport.Pairs([SystemCatalog.UrsulaSingle], w => w == "hot-catchup");

        Assert.Equal(
            [new LabelPair("ursula-single", "ref-memory"), new LabelPair("ursula-single-cold-fs", "ursula-single"), new LabelPair("ursula-single-cold-s3", "ursula-single")],
            pairs);
        Assert.Empty(hotOnly);
    }
}
