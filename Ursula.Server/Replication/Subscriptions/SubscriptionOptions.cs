// Options of subscriptions (the protocol's __ds APIs), bound from the "Subscriptions" section.
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Replication.Subscriptions;

public sealed class SubscriptionOptions
{
    public const string Section = "Subscriptions";

    /// <summary>
    /// Development only: accept webhook URLs http://localhost and http://127.0.0.x (and deliver to
    /// those loopback addresses). Off, every webhook must be https to a public address.
    /// </summary>
    public bool AllowLocalHttpWebhooks { get; set; }

    /// <summary>How long one webhook request may take before the attempt counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
