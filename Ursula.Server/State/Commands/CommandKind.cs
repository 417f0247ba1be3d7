namespace Ursula.Server.State.Commands;

/// <summary>The kind byte of each command in a log entry; never reuse a retired value.</summary>
public enum CommandKind : byte
{
    Create = 1,
    Append = 2,
    Delete = 3,
    Touch = 4,
    Expire = 5,
    ArchiveRanges = 6,
    ReplaceArchiveObject = 7,
    PutSubscription = 8,
    DeleteSubscription = 9,
    SubscriptionStreams = 10,
    SubscriptionWorker = 11,
    SubscriptionDelivery = 12,
    ExpireProducers = 13,
}
