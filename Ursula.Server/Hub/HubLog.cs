// Log messages of the SignalR hub (event ids 1700-1799). Per-call events are Debug.
namespace Ursula.Server.Hub;

internal static partial class HubLog
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Debug, Message = "Hub {Method} {Path} answered 503: {Reason}")]
    public static partial void Unavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Debug, Message = "Hub subscription to {Path} from {From} started on connection {ConnectionId}")]
    public static partial void SubscriptionStarted(ILogger logger, string path, string from, string connectionId);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Debug, Message = "Hub subscription to {Path} on connection {ConnectionId} ended at {NextOffset}: {Reason}")]
    public static partial void SubscriptionEnded(ILogger logger, string path, string connectionId, string nextOffset, string reason);
}
