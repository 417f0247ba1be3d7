// The protocol's reserved subscription APIs ({stream-root}/__ds/..., PROTOCOL.md sections 6 and 7),
// on every node: control requests become replicated commands like stream writes (a follower
// forwards them to the leader), reads come from this node's replicated state after a read
// barrier. Errors are {"error": {"code", "message"}} as the protocol shows them.
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Ursula.Server.Replication;
using Ursula.Server.Replication.Subscriptions;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.Protocol;

public sealed partial class SubscriptionEndpoints(
    StreamCatalog catalog,
    ICommandSubmitter submitter,
    WebhookAddressPolicy policy,
    IOptions<ProtocolOptions> options)
{
    private const int MaxBodyBytes = 1024 * 1024;
    private readonly ProtocolOptions options = options.Value;

    public Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        if (SubscriptionRoute.Parse(path) is not { } route)
        {
            return ErrorAsync(context, 404, "NOT_FOUND", "Not a subscription API");
        }

        if (route.Rest is ["jwks.json"])
        {
            return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? JwksAsync(context) : NotAllowedAsync(context, "GET");
        }

        if (route.Id is not { } id)
        {
            return ErrorAsync(context, 404, "NOT_FOUND", "Not a subscription API");
        }

        if ((SubscriptionRules.CheckRoot(route.Root, options.CommandLimits) ?? SubscriptionRules.CheckId(id)) is { } invalid)
        {
            return ErrorAsync(context, 400, "INVALID_REQUEST", invalid);
        }

        return (route.Action, route.Rest.Length) switch
        {
            ("", 2) when HttpMethods.IsPut(method) => PutAsync(context, route.Root, id),
            ("", 2) when HttpMethods.IsGet(method) => GetAsync(context, route.Root, id),
            ("", 2) when HttpMethods.IsDelete(method) => SubmitAsync(context, new DeleteSubscriptionCommand(route.Root, id)),
            ("", 2) => NotAllowedAsync(context, "GET, PUT, DELETE"),
            ("streams", 3) when HttpMethods.IsPost(method) => AddStreamsAsync(context, route.Root, id),
            ("streams", > 3) when HttpMethods.IsDelete(method) => SubmitAsync(context, new SubscriptionStreamsCommand(route.Root, id, [], [route.StreamArgument!])),
            ("streams", _) => NotAllowedAsync(context, route.Rest.Length == 3 ? "POST" : "DELETE"),
            ("claim", 3) when HttpMethods.IsPost(method) => ClaimAsync(context, route.Root, id),
            ("ack", 3) when HttpMethods.IsPost(method) => AckAsync(context, route.Root, id, WorkerOperation.Ack),
            ("release", 3) when HttpMethods.IsPost(method) => AckAsync(context, route.Root, id, WorkerOperation.Release),
            ("callback", 3) when HttpMethods.IsPost(method) => AckAsync(context, route.Root, id, WorkerOperation.Callback),
            ("claim" or "ack" or "release" or "callback", 3) => NotAllowedAsync(context, "POST"),
            _ => ErrorAsync(context, 404, "NOT_FOUND", "Not a subscription API"),
        };
    }

    private async Task PutAsync(HttpContext context, string root, string id)
    {
        if (await ReadJsonAsync(context) is not { } body)
        {
            return;
        }

        using (body)
        {
            var config = SubscriptionRequests.ParseConfig(body.RootElement, out var error);
            error ??= config is null ? "invalid subscription" : SubscriptionRules.CheckConfig(root, config, options.CommandLimits);
            if (config is null || error is not null)
            {
                await ErrorAsync(context, 400, "INVALID_REQUEST", error ?? "invalid subscription");
                return;
            }

            if (config.WebhookUrl is { } url && await policy.CheckAsync(url, WebhookAddressPolicy.SystemResolver, context.RequestAborted) is { } rejected)
            {
                await ErrorAsync(context, 400, "WEBHOOK_URL_REJECTED", rejected);
                return;
            }

            var command = new PutSubscriptionCommand(root, id, config, BaseUrl(context), RandomNumberGenerator.GetBytes(WebhookSigningKey.SeedBytes));
            var outcome = await submitter.ValidateAndSubmitAsync(command, options.CommandLimits, context.RequestAborted);
            if (outcome.Status is 200 or 201 && catalog.FindSubscription(root, id) is { } created)
            {
                await WriteJsonAsync(context, outcome.Status, SubscriptionJson.Describe(created, catalog.SigningKey, BaseUrl(context)));
                return;
            }

            await WriteOutcomeAsync(context, outcome);
        }
    }

    private async Task GetAsync(HttpContext context, string root, string id)
    {
        if (submitter.MayBeBehind)
        {
            await submitter.SyncWithLeaderAsync(context.RequestAborted);
        }

        if (catalog.FindSubscription(root, id) is not { } subscription)
        {
            await ErrorAsync(context, 404, "NOT_FOUND", "No such subscription");
            return;
        }

        await WriteJsonAsync(context, 200, SubscriptionJson.Describe(subscription, catalog.SigningKey, BaseUrl(context)));
    }

    private async Task AddStreamsAsync(HttpContext context, string root, string id)
    {
        if (await ReadJsonAsync(context) is not { } body)
        {
            return;
        }

        using (body)
        {
            var streams = SubscriptionRequests.Strings(body.RootElement, "streams", out var error);
            if (error is not null || streams.Count == 0)
            {
                await ErrorAsync(context, 400, "INVALID_REQUEST", error ?? "streams must list at least one stream");
                return;
            }

            await SubmitAsync(context, new SubscriptionStreamsCommand(root, id, SubscriptionConfig.Normalize(streams), []));
        }
    }

    private Task JwksAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "public, max-age=300";
        return WriteJsonAsync(context, 200, SubscriptionJson.Jwks(catalog.SigningKey), "application/jwk-set+json");
    }
}
