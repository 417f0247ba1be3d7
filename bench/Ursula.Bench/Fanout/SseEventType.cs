namespace Ursula.Bench.Fanout;

/// <summary>The SSE "event:" field values the Durable Streams protocol uses.</summary>
public enum SseEventType
{
    /// <summary>No "event:" field (SSE default "message") or an unknown name.</summary>
    Other,

    /// <summary>"event: data": stream bytes (base64 when stream-sse-data-encoding: base64).</summary>
    Data,

    /// <summary>"event: control": JSON with streamNextOffset, streamCursor, upToDate, streamClosed.</summary>
    Control,
}
