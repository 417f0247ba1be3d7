using Ursula.Bench.Compare.Wrk;

namespace Ursula.Tests.Bench;

[Trait("Category", "Unit")]
public sealed class WrkResultTests
{
    private const string Output = """
        Running 10s test @ http://127.0.0.1:14447
          2 threads and 64 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     6.93ms   25.02ms 325.56ms   97.13%
          62533 requests in 10.01s, 46.99MB read
          Non-2xx or 3xx responses: 33
        Requests/sec:  6247.05
        wrk-result requests=62533 duration_us=10008276 bytes=49272000 errors_connect=0 errors_read=1 errors_write=0 errors_status=33 errors_timeout=2 lat_min_us=180 lat_mean_us=6930.4 lat_stdev_us=25020.1 lat_p50_us=2458 lat_p90_us=9120 lat_p99_us=157361 lat_p999_us=301000 lat_max_us=325560
        """;

    [Fact]
    public void The_result_line_is_found_among_wrks_own_summary()
    {
        var result = WrkResult.Parse(Output);

        Assert.NotNull(result);
        Assert.Equal(62533, result.Requests);
        Assert.Equal(10.008276, result.DurationSeconds, 6);
        Assert.Equal(2458, result.LatP50Us);
        Assert.Equal(157361, result.LatP99Us);
        Assert.Equal(325560, result.LatMaxUs);
        Assert.Equal(6930.4, result.LatMeanUs, 1);
    }

    [Fact]
    public void Responses_with_an_error_status_are_not_counted_as_appends()
    {
        var result = WrkResult.Parse(Output)!;

        Assert.Equal(62533 - 33, result.Succeeded);
        Assert.Equal((62533 - 33) / 10.008276, result.SucceededPerSecond, 3);
        Assert.Equal(36, result.Errors);
    }

    [Fact]
    public void Output_without_a_result_line_gives_no_result()
    {
        Assert.Null(WrkResult.Parse("unable to connect to 127.0.0.1:14447 Connection refused\n"));
    }

    [Fact]
    public void A_result_line_missing_a_field_is_an_error_not_a_zero()
    {
        Assert.Throws<FormatException>(() => WrkResult.Parse("wrk-result requests=10 duration_us=1000000"));
        Assert.Throws<FormatException>(() => WrkResult.Parse("wrk-result requests=ten"));
    }

    [Fact]
    public void The_version_is_the_first_line_of_wrk_v_without_the_copyright()
    {
        const string output = "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer\nUsage: wrk <options> <url>\n";

        Assert.Equal("wrk debian/4.1.0-3+b2 [epoll]", WrkResult.VersionFrom(output));
        Assert.Null(WrkResult.VersionFrom("bash: wrk: command not found"));
    }

    [Fact]
    public void The_lua_script_is_embedded_and_written_out_for_wrk()
    {
        var directory = Directory.CreateTempSubdirectory("wrk-script-").FullName;
        try
        {
            _ = new WrkRunner(directory, Path.Combine(directory, "wrk.log"));

            var script = File.ReadAllText(Path.Combine(directory, "append.lua"));
            Assert.Contains("function request()", script, StringComparison.Ordinal);
            Assert.Contains(WrkResult.LinePrefix.Trim(), script, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
