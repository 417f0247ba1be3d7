using Ursula.Bench.Compare;

namespace Ursula.Tests.Bench;

[Trait("Category", "Unit")]
public sealed class AlternationScheduleTests
{
    private static readonly string[] Systems = ["ursula-single", "ursula-cluster3", "ref-memory", "ref-file"];

    [Fact]
    public void Two_rounds_run_every_system_forwards_then_backwards()
    {
        var sessions = AlternationSchedule.Build(Systems, rounds: 2, memorySystems: []);

        Assert.Equal(
            ["ursula-single", "ursula-cluster3", "ref-memory", "ref-file", "ref-file", "ref-memory", "ursula-cluster3", "ursula-single"],
            sessions.Select(s => s.System));
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2], sessions.Select(s => s.Round));
        Assert.All(sessions, s => Assert.Equal(SessionKind.Rounds, s.Kind));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void With_an_even_number_of_rounds_every_system_has_the_same_mean_position(int rounds)
    {
        var sessions = AlternationSchedule.Build(Systems, rounds, memorySystems: []);

        var meanPositions = Systems.Select(system => sessions.Select((s, i) => (s, i)).Where(p => p.s.System == system).Average(p => p.i)).ToList();
        Assert.All(meanPositions, mean => Assert.Equal(meanPositions[0], mean, 6));
    }

    [Fact]
    public void Memory_sessions_come_after_the_rounds_and_only_for_systems_in_the_run()
    {
        var sessions = AlternationSchedule.Build(["ursula-single", "ref-file"], rounds: 1, memorySystems: ["ursula-single", "ref-memory"]);

        Assert.Equal(3, sessions.Count);
        var memory = sessions[^1];
        Assert.Equal(new Session(0, "ursula-single", SessionKind.Memory), memory);
        Assert.Equal("ursula-single memory", memory.Name);
        Assert.Equal("ref-file round 1", sessions[1].Name);
    }

    [Fact]
    public void No_rounds_leaves_only_the_memory_sessions()
    {
        var sessions = AlternationSchedule.Build(Systems, rounds: 0, memorySystems: ["ref-memory"]);

        Assert.Equal([new Session(0, "ref-memory", SessionKind.Memory)], sessions);
        Assert.Throws<ArgumentOutOfRangeException>(() => AlternationSchedule.Build(Systems, rounds: -1, memorySystems: []));
    }
}
