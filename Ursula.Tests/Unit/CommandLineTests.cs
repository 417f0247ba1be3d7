using Ursula.Server.Hosting.Cli;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class CommandLineTests
{
    [Fact]
    public void Archive_max_delay_accepts_zero_and_maps_back_to_the_same_flag()
    {
        var parsed = CommandLine.Parse(["--archive-max-delay", "0"]);

        Assert.Equal("00:00:00", parsed.Settings["Archive:MaxDelay"]);
        Assert.Equal(["--archive-max-delay", "0"], CommandLine.ToFlag("Archive:MaxDelay", "00:00:00"));
    }

    [Theory]
    [InlineData("--archive-interval")]
    [InlineData("--long-poll-timeout")]
    public void A_zero_interval_is_refused_with_a_message_that_names_the_flag(string flag)
    {
        var error = Assert.Throws<CommandLineException>(() => CommandLine.Parse([flag, "0"]));

        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("3601")]
    public void Archive_max_delay_still_refuses_what_is_not_a_duration(string value)
    {
        Assert.Throws<CommandLineException>(() => CommandLine.Parse(["--archive-max-delay", value]));
    }

    [Fact]
    public void Producer_idle_expiry_takes_days_of_seconds_and_maps_back_to_the_same_flag()
    {
        var parsed = CommandLine.Parse(["--producer-idle-expiry", "604800"]);

        Assert.Equal("7.00:00:00", parsed.Settings["Producers:IdleExpiry"]);
        Assert.Equal(["--producer-idle-expiry", "604800"], CommandLine.ToFlag("Producers:IdleExpiry", "7.00:00:00"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.5")]
    [InlineData("-3")]
    [InlineData("a week")]
    [InlineData("315360001")]
    public void Producer_idle_expiry_refuses_what_is_not_a_duration_from_1_s_to_10_years(string value)
    {
        var error = Assert.Throws<CommandLineException>(() => CommandLine.Parse(["--producer-idle-expiry", value]));

        Assert.Contains("--producer-idle-expiry", error.Message, StringComparison.Ordinal);
    }
}
