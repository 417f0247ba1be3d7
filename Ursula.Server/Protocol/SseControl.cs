namespace Ursula.Server.Protocol;

/// <summary>The SSE control event. Absent flags are omitted, never sent as false.</summary>
public sealed record SseControl(string StreamNextOffset, string? StreamCursor, bool? UpToDate, bool? StreamClosed);
