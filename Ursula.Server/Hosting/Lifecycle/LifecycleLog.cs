// Log messages of a graceful stop (event ids 1450-1469).
namespace Ursula.Server.Hosting.Lifecycle;

internal static partial class LifecycleLog
{
    [LoggerMessage(EventId = 1450, Level = LogLevel.Information, Message = "Stopping: new requests are refused; waiting for {InFlight} write requests in flight")]
    public static partial void Draining(ILogger logger, int inFlight);

    [LoggerMessage(EventId = 1451, Level = LogLevel.Warning, Message = "Stopping: {InFlight} write requests were still running after {Seconds} s; stopping anyway (they are answered 503)")]
    public static partial void DrainTimedOut(ILogger logger, int inFlight, double seconds);

    [LoggerMessage(EventId = 1452, Level = LogLevel.Information, Message = "Stopping: this leader resigned in term {Term} after its followers had every committed entry (standby: {Standby}); the others elect the next leader")]
    public static partial void HandedOver(ILogger logger, long term, bool standby);

    [LoggerMessage(EventId = 1453, Level = LogLevel.Warning, Message = "Stopping: leadership could not be handed over ({Reason}); the others elect a leader after their election timeout")]
    public static partial void HandOverFailed(ILogger logger, string reason, Exception? error);
}
