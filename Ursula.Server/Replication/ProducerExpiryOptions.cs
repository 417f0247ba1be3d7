// Idle expiry of idempotent producer state ("Producers").
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Replication;

public sealed class ProducerExpiryOptions
{
    public const string Section = "Producers";

    /// <summary>
    /// Producer state (epoch and last sequence of a Producer-Id on a stream) not updated for this
    /// long is dropped; a producer that returns afterwards is treated as new.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often at most the leader sweeps producer state: a sixteenth of the idle time, between 1 s and 1 h.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromTicks(Math.Clamp(IdleExpiry.Ticks / 16, TimeSpan.TicksPerSecond, TimeSpan.TicksPerHour));
}
