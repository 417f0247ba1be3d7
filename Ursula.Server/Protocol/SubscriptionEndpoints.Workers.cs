// Claim, ack, release and callback: the bearer token and the body become one worker command,
// which apply fences against the current wake.
using Ursula.Server.State.Commands;

namespace Ursula.Server.Protocol;

public sealed partial class SubscriptionEndpoints
{
    private async Task ClaimAsync(HttpContext context, string root, string id)
    {
        if (await ReadJsonAsync(context) is not { } body)
        {
            return;
        }

        using (body)
        {
            var worker = SubscriptionRequests.String(body.RootElement, "worker");
            await SubmitAsync(context, new SubscriptionWorkerCommand(root, id, WorkerOperation.Claim, worker, null, null, 0, [], false));
        }
    }

    private async Task AckAsync(HttpContext context, string root, string id, WorkerOperation operation)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || authorization.Length <= 7)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ErrorAsync(context, 401, "UNAUTHORIZED", "A bearer token (the callback or claim token of the wake) is required");
            return;
        }

        if (await ReadJsonAsync(context) is not { } body)
        {
            return;
        }

        using (body)
        {
            var (wakeId, generation, acks, done, error) = SubscriptionRequests.ParseAck(body.RootElement);
            if (error is not null)
            {
                await ErrorAsync(context, 400, "INVALID_REQUEST", error);
                return;
            }

            var token = authorization[7..].Trim();
            await SubmitAsync(context, new SubscriptionWorkerCommand(root, id, operation, null, token, wakeId, generation, acks, done));
        }
    }
}
