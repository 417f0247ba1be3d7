using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.State.Commands;

/// <summary>
/// PUT .../__ds/subscriptions/:id: create, or re-confirm with the same configuration hash.
/// <paramref name="KeySeed"/> is a random Ed25519 seed from the node that received the request;
/// apply keeps it as the cluster's webhook signing key if there is none yet.
/// </summary>
[CommandKind(CommandKind.PutSubscription)]
public sealed record PutSubscriptionCommand(string Root, string Id, SubscriptionConfig Config, string BaseUrl, byte[] KeySeed) : SubscriptionCommand(Root, Id)
{
    public override CommandKind Kind => CommandKind.PutSubscription;

    public override void WriteFields(ref CommandWriter w)
    {
        WriteTarget(ref w);
        Config.Write(ref w);
        w.String(BaseUrl);
        w.Bytes(KeySeed);
    }

    public override int SizeOfFields() => SizeOfTarget() + Config.SizeOf() + CommandWriter.SizeOf(BaseUrl) + 4 + KeySeed.Length;

    internal static Command ReadFields(ref CommandReader r)
    {
        var (root, id) = ReadTarget(ref r);
        var config = SubscriptionConfig.Read(ref r);
        var baseUrl = r.String() ?? throw new InvalidDataException("A subscription without a base URL.");
        return new PutSubscriptionCommand(root, id, config, baseUrl, r.Bytes().ToArray());
    }

    internal override string? ValidateSubscriptionFields(CommandLimits limits) =>
        KeySeed.Length != WebhookSigningKey.SeedBytes ? "a signing key seed is 32 bytes"
            : !Uri.TryCreate(BaseUrl, UriKind.Absolute, out var b) || b.PathAndQuery != "/" || BaseUrl.EndsWith('/') ? "the base URL is scheme://host[:port]"
            : SubscriptionRules.CheckConfig(Root, Config, limits);

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.PutSubscription(this, context));
}
