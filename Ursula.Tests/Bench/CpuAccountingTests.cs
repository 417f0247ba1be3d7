using Ursula.Bench.Metrics;

namespace Ursula.Tests.Bench;

[Trait("Category", "Unit")]
public sealed class CpuAccountingTests
{
    [Fact]
    public void Stat_fields_are_read_after_a_command_name_with_spaces_and_parentheses()
    {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
        var line = "4242 (wrk (worker) 1) S 1 4242 4242 0 -1 4194304 120 0 0 0 250 130 40 10 20 0 3 0 1000 5000000 300";

        var stat = ProcStat.Parse(line);

        Assert.Equal(2.5, stat.UserSeconds, 6);
        Assert.Equal(1.3, stat.SystemSeconds, 6);
        Assert.Equal(3.8, stat.OwnSeconds, 6);
        Assert.Equal(0.5, stat.ChildSeconds, 6);
    }

    [Fact]
    public void A_truncated_stat_line_is_rejected()
    {
        Assert.Throws<FormatException>(() => ProcStat.Parse("4242 (wrk) S 1 2 3"));
        Assert.Throws<FormatException>(() => ProcStat.Parse("no parentheses here"));
    }

    [Fact]
    public void This_process_stat_is_readable()
    {
        Assert.True(ProcStat.Self().OwnSeconds >= 0);
    }

    [Fact]
    public void One_busy_core_of_two_is_half_the_machine_and_above_the_quarter_limit()
    {
        var share = CpuShare.Of(cpuSecondsBefore: 1.0, cpuSecondsAfter: 11.0, wallSeconds: 10, cores: 2);

        Assert.Equal(0.5, share.OfMachine, 6);
        Assert.Equal(50, share.Percent, 6);
        Assert.Equal(1.0, share.CoresUsed, 6);
        Assert.True(share.Exceeds(CpuShare.DefaultLimit));
    }

    [Fact]
    public void Cpu_per_append_is_the_cpu_time_over_the_requests()
    {
        // wrk at 17,000 appends/s for 10 s spending 19 µs each: 3.23 s of CPU, 16% of two cores.
        var share = new CpuShare(CpuSeconds: 3.23, WallSeconds: 10, Cores: 2);

        Assert.Equal(19.0, share.MicrosecondsPer(170_000), 6);
        Assert.Equal(0.1615, share.OfMachine, 6);
        Assert.False(share.Exceeds(CpuShare.DefaultLimit));
        Assert.True(double.IsNaN(share.MicrosecondsPer(0)));
    }

    [Fact]
    public void An_empty_interval_is_no_share_rather_than_a_division_by_zero()
    {
        Assert.Equal(0, new CpuShare(1, 0, 2).OfMachine);
        Assert.Equal(0, new CpuShare(-0.01, 1, 2).OfMachine);
    }
}
