namespace Ursula.Server.Replication.Subscriptions;

internal static partial class SubscriptionLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Leading: delivering subscription wakes from this node")]
    public static partial void Leading(ILogger logger);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Webhook of subscription {Id} generation {Generation} failed (attempt {Attempt}), next attempt in {DelayMs} ms: {Reason}")]
    public static partial void DeliveryFailed(ILogger logger, string id, long generation, int attempt, long delayMs, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "The subscription service failed on subscription {Id}")]
    public static partial void ServiceFailed(ILogger logger, string id, Exception exception);
}
