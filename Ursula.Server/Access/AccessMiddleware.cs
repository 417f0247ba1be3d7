// The access step of the pipeline, in front of every client surface (the streams' terminal
// delegate, the hub, the listing, the subscriptions API): classifies the request once,
// authenticates its bearer token, checks its grants against the path and the kind of operation,
// and enforces the per-request limits: header values, path characters, the number of streams and
// of live connections. 401 and 403 carry WWW-Authenticate (RFC 6750) and a short problem body.
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Ursula.Server.Protocol;
using Ursula.Server.State;

namespace Ursula.Server.Access;

internal sealed class AccessMiddleware(
    RequestDelegate next,
    AccessPolicy policy,
    LiveConnections live,
    StreamCatalog catalog,
    IOptions<LimitOptions> limitOptions,
    ILogger<AccessMiddleware> logger)
{
    public const string Realm = "ursula";

    /// <summary>The challenge of a live read whose token expired while it waited (RFC 6750).</summary>
    public static readonly string ExpiredChallenge = $"{BearerToken.Scheme} realm=\"{Realm}\", error=\"invalid_token\", error_description=\"The token has expired\"";

    private readonly LimitOptions limits = limitOptions.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = RequestClassifier.Classify(context);
        var feature = new AccessRequestFeature(request);
        context.Features.Set(feature);
        if (request.Area is RequestArea.Public or RequestArea.Cluster or RequestArea.SubscriptionToken)
        {
            // The cluster secret and a subscription's own tokens are checked by their endpoints; a
            // client token opens none of them (ClusterAuthMiddleware ran before this step).
            await next(context);
            return;
        }

        if (policy.Enabled && !await AuthenticateAsync(context))
        {
            return;
        }

        if (Authorize(request, context) is { } refusal)
        {
            await ForbidAsync(context, refusal);
            return;
        }

        if (CheckLimits(request, context) is { } limit)
        {
            await RefuseAsync(context, limit.Status, limit.Detail, null);
            return;
        }

        if (!request.Live)
        {
            await next(context);
            return;
        }

        await RunLiveAsync(context, feature);
    }

    private async Task<bool> AuthenticateAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(AccessExtensions.Scheme);
        if (result.Succeeded && !policy.IsExpired(result.Principal))
        {
            context.User = result.Principal!;
            return true;
        }

        var headers = context.Response.Headers;
        if (result.None)
        {
            headers.WWWAuthenticate = $"{BearerToken.Scheme} realm=\"{Realm}\"";
            await RefuseAsync(context, 401, "This server needs a bearer token (Authorization: Bearer TOKEN)", null);
            return false;
        }

        var reason = result.Failure?.Message ?? "The token has expired";
        headers.WWWAuthenticate = $"{BearerToken.Scheme} realm=\"{Realm}\", error=\"invalid_token\", error_description=\"{Quote(FirstLine(reason))}\"";
        await RefuseAsync(context, 401, $"The bearer token was refused: {FirstLine(reason)}", null);
        return false;
    }

    /// <summary>Null when the caller may make the request, else what it lacks.</summary>
    private string? Authorize(AccessRequest request, HttpContext context)
    {
        if (!policy.Enabled)
        {
            return null;
        }

        var user = context.User;
        return request.Area switch
        {
            RequestArea.Stream when !policy.Allows(user, request.Needed, request.Path) => $"needs {Name(request.Needed)} on {request.Path}",
            RequestArea.Stream when request.ForkSource is { } source && !policy.Allows(user, AccessLevel.Read, source) => $"forking needs read on {source}",
            RequestArea.Subscription when !policy.AllowsSubtree(user, request.Needed, request.Path) => $"needs {Name(request.Needed)} on every stream under {request.Path} (a grant {Name(request.Needed)}:{Under(request.Path)})",
            RequestArea.Listing when !policy.HoldsAnyGrant(user) => "listing needs a grant",
            RequestArea.Reserved when !policy.AllowsSubtree(user, AccessLevel.Admin, "/") => "needs admin:/**",
            _ => null,
        };
    }

    private (int Status, string Detail)? CheckLimits(AccessRequest request, HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers[ProtocolHeaders.ProducerId].ToString() is { } producer && Encoding.UTF8.GetByteCount(producer) > limits.MaxProducerIdBytes)
        {
            return (400, $"Producer-Id is limited to {limits.MaxProducerIdBytes} bytes (Limits:MaxProducerIdBytes)");
        }

        if (headers.ContentType.ToString() is { } type && Encoding.UTF8.GetByteCount(type) > limits.MaxContentTypeBytes)
        {
            return (400, $"Content-Type is limited to {limits.MaxContentTypeBytes} bytes (Limits:MaxContentTypeBytes)");
        }

        if (request.Area != RequestArea.Stream)
        {
            return null;
        }

        var problem = PathCharacters.Check(request.Path, limits.PathCharacters)
            ?? (request.ForkSource is { } source ? PathCharacters.Check(source, limits.PathCharacters) : null);
        if (problem is not null)
        {
            return (400, problem);
        }

        if (request.Create && catalog.StreamCount >= limits.MaxStreams && !catalog.TryGet(request.Path, out _))
        {
            return (507, $"This node holds the most streams it may ({limits.MaxStreams}, Limits:MaxStreams)");
        }

        return null;
    }

    private async Task RunLiveAsync(HttpContext context, AccessRequestFeature feature)
    {
        var client = AccessPolicy.ClientKey(context);
        switch (live.TryEnter(client, limits.MaxLiveConnections, limits.EffectiveConnectionsPerClient(policy.Enabled)))
        {
            case LiveAdmission.NodeFull:
                await RefuseAsync(context, 503, $"This node serves the most live connections it may ({limits.MaxLiveConnections}, Limits:MaxLiveConnections)", TimeSpan.FromSeconds(5));
                return;
            case LiveAdmission.ClientFull:
                await RefuseAsync(context, 429, $"This client holds the most live connections it may ({limits.EffectiveConnectionsPerClient(policy.Enabled)}, Limits:MaxLiveConnectionsPerClient)", TimeSpan.FromSeconds(5));
                return;
        }

        try
        {
            using var expiry = policy.ExpiryTimer(context.User);
            feature.Expired = expiry?.Token ?? CancellationToken.None;
            await next(context);
        }
        finally
        {
            live.Exit(client);
        }
    }

    private Task ForbidAsync(HttpContext context, string lack)
    {
        context.Response.Headers.WWWAuthenticate = $"{BearerToken.Scheme} realm=\"{Realm}\", error=\"insufficient_scope\", error_description=\"{Quote(lack)}\"";
        return RefuseAsync(context, 403, $"This token's grants do not allow the request: it {lack}", null);
    }

    private Task RefuseAsync(HttpContext context, int status, string detail, TimeSpan? retryAfter)
    {
        AccessLog.Refused(logger, context.Request.Method, context.Request.Path.Value ?? "/", status, detail);
        return Problem.WriteAsync(context, status, detail, retryAfter);
    }

    private static string Name(AccessLevel level) => level.ToString().ToLowerInvariant();

    private static string Under(string root) => root == "/" ? "/**" : root + "/**";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static string Quote(string text) => text.Replace("\\", string.Empty, StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal);
}
