// The first middleware of every request: gives it a request id (a sane incoming X-Request-Id, or a
// new one) that is answered in X-Request-Id and carried in the log scope of everything the request
// logs, counts it by route kind and status, times appends and catch-up reads, counts body bytes in
// and out, and tracks live readers (SSE, long-poll) while they are connected.
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Ursula.Server.Diagnostics;

namespace Ursula.Server.Hosting.Observability;

internal sealed class RequestObservationMiddleware(RequestDelegate next, ILogger<RequestObservationMiddleware> logger)
{
    public const string RequestIdHeader = "X-Request-Id";

    private const int MaxRequestIdLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = AcceptedRequestId(context.Request.Headers[RequestIdHeader].ToString()) ?? NewRequestId();
        context.TraceIdentifier = requestId;
        context.Response.Headers[RequestIdHeader] = requestId;

        var route = RouteKinds.Of(context.Request);
        var routeTag = new KeyValuePair<string, object?>("route", route);
        var live = RouteKinds.LiveKind(route);
        var body = new CountingResponseBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), routeTag);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        var input = context.Features.Get<IRequestBodyPipeFeature>() is { } pipe ? new CountingRequestBody(pipe.Reader) : null;
        if (input is not null)
        {
            context.Features.Set<IRequestBodyPipeFeature>(input);
        }

        var started = Stopwatch.GetTimestamp();
        if (live is not null)
        {
            UrsulaMetrics.LiveConnections.Add(1, new KeyValuePair<string, object?>("kind", live));
        }

        using var scope = logger.BeginScope(new RequestScope(requestId));
        try
        {
            await next(context);
        }
        finally
        {
            if (live is not null)
            {
                UrsulaMetrics.LiveConnections.Add(-1, new KeyValuePair<string, object?>("kind", live));
            }

            Record(context, route, routeTag, started, input);
        }
    }

    private static void Record(HttpContext context, string route, KeyValuePair<string, object?> routeTag, long started, CountingRequestBody? input)
    {
        // A request the client abandoned is counted under 499, the convention for "client closed".
        var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
        var statusTag = new KeyValuePair<string, object?>("status", StatusText(status));
        UrsulaMetrics.Requests.Add(1, routeTag, statusTag);

        var received = input?.Consumed ?? 0;
        if (received == 0 && context.Request.ContentLength is { } length and > 0)
        {
            // Handlers that read the request stream (the Raft transport) bypass the counting pipe.
            received = length;
        }

        if (received > 0)
        {
            UrsulaMetrics.BytesIn.Add(received, routeTag);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (route == RouteKinds.Append)
        {
            UrsulaMetrics.AppendDuration.Record(elapsed, statusTag);
        }
        else if (route == RouteKinds.Read)
        {
            UrsulaMetrics.ReadDuration.Record(elapsed, statusTag);
        }
    }

    /// <summary>An incoming id is kept when it is short and made of URL-safe characters (so it can go into logs and headers as it is).</summary>
    internal static string? AcceptedRequestId(string value)
    {
        if (value.Length is 0 or > MaxRequestIdLength)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return null;
            }
        }

        return value;
    }

    private static string NewRequestId() => ActivityTraceId.CreateRandom().ToHexString()[..16];

    private static readonly string[] StatusTexts = Enumerable.Range(0, 600).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusText(int status) => status is >= 0 and < 600 ? StatusTexts[status] : "other";

    /// <summary>The log scope: one RequestId property, formatted "RequestId:ID" by the plain console.</summary>
    private sealed class RequestScope(string requestId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("RequestId", requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{requestId}";
    }
}
