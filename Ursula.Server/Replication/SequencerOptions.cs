// Group commit settings of the leader's sequencer ("Sequencer").
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Replication;

public sealed class SequencerOptions
{
    public const string Section = "Sequencer";

    /// <summary>Log entries replicating at once on a single node; the next batch forms while these are in flight.</summary>
    [Range(1, 64)]
    public int MaxInFlight { get; set; } = 4;

    /// <summary>
    /// The same with more than one member. Fewer entries in flight let each batch grow larger per
    /// replication round (two rounds per entry: commit, then the followers' flush). Alternated on
    /// fresh three-node clusters on a calm 2-core machine (4 December, bench compare sessions,
    /// docs/performance.md): one entry gave 5,246, 5,200, 4,390 and 5,528 appends/s against
    /// 4,066, 4,241, 4,466 and 4,620 with four (and 4,542 and 4,377 with eight), SSE fan-out p99
    /// 42-44 against 64-67 ms, half-peak p99 26-29 against 30 ms, hub fan-out p99 70-79 against
    /// 68-92 ms. (On a loaded machine in December's first days four had measured better.)
    /// </summary>
    [Range(1, 64)]
    public int MaxInFlightReplicated { get; set; } = 1;

    /// <summary>The most commands one log entry carries.</summary>
    [Range(1, 100_000)]
    public int MaxCommandsPerEntry { get; set; } = 4096;

    /// <summary>A batch stops growing past this many payload bytes (one larger command still goes alone).</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxEntryBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long a write waits for its outcome before it is answered 503.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
