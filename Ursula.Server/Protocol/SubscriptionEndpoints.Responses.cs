// Reading request bodies and writing the subscription APIs' answers.
using System.Text;
using System.Text.Json;
using Ursula.Server.State;
using Ursula.Server.State.Commands;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Server.Protocol;

public sealed partial class SubscriptionEndpoints
{
    private async Task SubmitAsync(HttpContext context, Command command)
    {
        var outcome = await submitter.ValidateAndSubmitAsync(command, options.CommandLimits, context.RequestAborted);
        await WriteOutcomeAsync(context, outcome);
    }

    private static Task WriteOutcomeAsync(HttpContext context, ApplyOutcome outcome)
    {
        if (outcome.Body is { } body)
        {
            return WriteJsonAsync(context, outcome.Status, body);
        }

        if (outcome.Status >= 400)
        {
            var code = outcome.Status switch { 404 => "NOT_FOUND", 409 => "CONFLICT", _ => "INVALID_REQUEST" };
            return ErrorAsync(context, outcome.Status, code, outcome.Error ?? "The request was refused");
        }

        context.Response.StatusCode = outcome.Status;
        return Task.CompletedTask;
    }

    /// <summary>The body as JSON, or null once a 400/413 has been answered.</summary>
    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadAsync(context.Request, MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            await ErrorAsync(context, 413, "PAYLOAD_TOO_LARGE", $"Subscription requests are limited to {MaxBodyBytes} bytes");
            return null;
        }

        try
        {
            return JsonDocument.Parse(body.Memory.ToArray());
        }
        catch (JsonException)
        {
            await ErrorAsync(context, 400, "INVALID_REQUEST", "The body is not valid JSON");
            return null;
        }
    }

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    private static Task NotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return ErrorAsync(context, 405, "METHOD_NOT_ALLOWED", $"This subscription API takes {allow}");
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteJsonAsync(context, status, SubscriptionJson.Error(code, message));

    private static async Task WriteJsonAsync(HttpContext context, int status, string json, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(json), context.RequestAborted);
        }
    }
}
