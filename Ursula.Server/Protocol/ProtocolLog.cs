// Log messages of the protocol layer (event ids 1000-1099). Per-request events are Debug.
namespace Ursula.Server.Protocol;

internal static partial class ProtocolLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "{Method} {Path} answered 503: {Reason}")]
    public static partial void Unavailable(ILogger logger, string method, string path, string reason);
}
