// Limits of the client surfaces, bound from the "Limits" configuration section. Each is answered
// with the status the protocol or HTTP names: 400 for an oversized header value or a path with
// characters outside the set, 431 for oversized headers in total (Kestrel), 429 with Retry-After
// for a client over its rate or connection count, 503 with Retry-After when the node is full of
// live connections, 507 when the node holds the most streams it may.
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Access;

public enum PathCharacterSet
{
    /// <summary>Any character but controls and backslashes (the protocol's own rules).</summary>
    Any,

    /// <summary>As Any, and no whitespace but the space, nor invisible formatting characters (bidi overrides, zero-width), which spoof paths in listings.</summary>
    Visible,

    /// <summary>Only ASCII letters, digits and - . _ ~ ! $ &amp; ' ( ) * + , ; = : @ /.</summary>
    Ascii,
}

public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>The longest Producer-Id accepted, in bytes (400 above).</summary>
    [Range(1, 64 * 1024)]
    public int MaxProducerIdBytes { get; set; } = 256;

    /// <summary>The longest Content-Type accepted, in bytes (400 above).</summary>
    [Range(16, 64 * 1024)]
    public int MaxContentTypeBytes { get; set; } = 256;

    /// <summary>All request headers together, in bytes (Kestrel answers 431 above).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Which characters stream paths may hold (400 otherwise).</summary>
    public PathCharacterSet PathCharacters { get; set; } = PathCharacterSet.Visible;

    /// <summary>The most streams the node holds; creating one more is answered 507.</summary>
    [Range(1, int.MaxValue)]
    public int MaxStreams { get; set; } = 1_000_000;

    /// <summary>Live readers (SSE, long-poll, hub connections) of the whole node; one more is answered 503.</summary>
    [Range(1, 10_000_000)]
    public int MaxLiveConnections { get; set; } = 20_000;

    /// <summary>Live readers of one client (token, else IP address); unset: 256 with authentication, unlimited without; 0 unlimited.</summary>
    [Range(0, 10_000_000)]
    public int? MaxLiveConnectionsPerClient { get; set; }

    /// <summary>Requests per second of one client (token, else IP address); unset: 1000 with authentication, unlimited without; 0 unlimited.</summary>
    [Range(0, 10_000_000)]
    public int? RequestsPerSecond { get; set; }

    /// <summary>Requests a client may make at once above its rate (the token bucket's size); unset: twice the rate.</summary>
    [Range(1, 100_000_000)]
    public int? RequestBurst { get; set; }

    public int EffectiveConnectionsPerClient(bool authenticated) => MaxLiveConnectionsPerClient ?? (authenticated ? 256 : 0);

    public int EffectiveRequestsPerSecond(bool authenticated) => RequestsPerSecond ?? (authenticated ? 1000 : 0);
}
