// Options of the HTTP protocol surface, bound from the "Protocol" configuration section.
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Protocol;

public sealed class ProtocolOptions
{
    public const string Section = "Protocol";

    /// <summary>How long a long-poll waits for data before answering 204.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>SSE responses end after this long so that CDNs can collapse reconnecting clients.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SseConnectionLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest body a single append or create may carry (413 above it).</summary>
    [Range(1, 256L * 1024 * 1024)]
    public long MaxAppendBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>The most payload one catch-up response carries before it is cut into chunks.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxReadChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>The longest stream path accepted, in bytes.</summary>
    [Range(16, 8192)]
    public int MaxPathBytes { get; set; } = 1024;

    /// <summary>The limits every command is validated against, here and when forwarded to the leader.</summary>
    public State.Commands.CommandLimits CommandLimits => new(MaxPathBytes, MaxAppendBytes);

    /// <summary>Cache-Control for catch-up chunks, which never change once served.</summary>
    public string CatchUpCacheControl { get; set; } = "public, max-age=60, stale-while-revalidate=300";
}
