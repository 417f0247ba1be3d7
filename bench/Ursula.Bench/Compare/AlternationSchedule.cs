namespace Ursula.Bench.Compare;

/// <summary>
/// The order in which systems are measured. Each session starts one system afresh, warms it up
/// unmeasured, runs every workload against it and stops it, so only that system runs while it is
/// measured. Rounds alternate direction (A B C D, then D C B A, ...): with an even number of rounds
/// every system has the same mean position, so a machine whose load drifts during the run does
/// not favour whoever goes first. Sessions for the memory figure (a fresh node filled with many
/// streams) come after the rounds.
/// </summary>
public static class AlternationSchedule
{
    public static IReadOnlyList<Session> Build(IReadOnlyList<string> systems, int rounds, IReadOnlyList<string> memorySystems)
    {
        if (rounds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "rounds must not be negative");
        }

        var sessions = new List<Session>();
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? systems : systems.Reverse();
            sessions.AddRange(order.Select(system => new Session(round, system, SessionKind.Rounds)));
        }

        sessions.AddRange(memorySystems.Where(systems.Contains).Select(system => new Session(0, system, SessionKind.Memory)));
        return sessions;
    }
}

public enum SessionKind
{
    /// <summary>Warm-up, then the measured workloads of a round.</summary>
    Rounds,

    /// <summary>A fresh node filled with many streams, then SSE subscribers: its peak RSS.</summary>
    Memory,
}

/// <summary>One start-measure-stop of one system; <see cref="Round"/> is 0 for memory sessions.</summary>
public sealed record Session(int Round, string System, SessionKind Kind)
{
    public string Name => Kind == SessionKind.Memory ? $"{System} memory" : $"{System} round {Round}";
}
