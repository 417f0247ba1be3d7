// Options of the SignalR hub, bound from the "Hub" configuration section.
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Hub;

public sealed class StreamHubOptions
{
    public const string Section = "Hub";

    /// <summary>The hub's path inside the reserved prefix.</summary>
    public const string RelativePath = "/hub";

    /// <summary>Where the hub is mapped; the console and docs/signalr.md assume this path.</summary>
    public const string Path = Streams.StreamPath.ReservedPrefix + RelativePath;

    /// <summary>The most stream payload one subscription item carries (catch-up is cut into items this size).</summary>
    [Range(1024, 16L * 1024 * 1024)]
    public long MaxItemBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Items read ahead for one subscriber. When its connection cannot take them (a slow client),
    /// reading stops: the subscriber falls behind and later catches up from storage, so a subscriber
    /// holds at most this many items (plus the one being sent) in the server's memory.
    /// </summary>
    [Range(1, 1024)]
    public int SubscriberBuffer { get; set; } = 4;

    /// <summary>
    /// How long one send to a client may take before its connection is closed (SignalR's transport
    /// send timeout, 10 s by default there). A slow subscriber's sends wait for its socket to drain;
    /// one that takes nothing for this long is disconnected and resumes from its last nextOffset
    /// when it reconnects.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest message a client may send (an append's body travels in one), in bytes.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Origins of browser pages on other sites that may use the hub and the stream listing.
    /// "*" (the default) lets any page connect without credentials (cookies are not sent), as the
    /// streams themselves allow any origin; listing origins instead lets exactly those connect with
    /// credentials, and refuses WebSocket connections from every other site.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = ["*"];
}
