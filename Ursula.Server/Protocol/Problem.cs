// Error answers: a status code and a short application/problem+json body (RFC 9457).
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Ursula.Server.Protocol;

public static class Problem
{
    public static Task WriteAsync(HttpContext context, int status, string detail, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        response.ContentType = "application/problem+json";
        var body = new ProblemBody(ReasonPhrases.GetReasonPhrase(status), status, detail);
        return JsonSerializer.SerializeAsync(response.Body, body, ProtocolJsonContext.Default.ProblemBody, context.RequestAborted);
    }
}

public sealed record ProblemBody(string Title, int Status, string Detail);
