// Classifies a request once (see AccessRequest). Reserved paths are judged the way
// ClusterEndpoints judges them, on the normalised segments and ignoring case, since routing
// matches that way; stream paths on Request.Path exactly as the stream handler will use it.
using Ursula.Server.Hosting.Security;
using Ursula.Server.Protocol;
using Ursula.Server.Streams;

namespace Ursula.Server.Access;

public static class RequestClassifier
{
    public static AccessRequest Classify(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (HttpMethods.IsOptions(request.Method))
        {
            return AccessRequest.PublicRequest;
        }

        if (StreamPath.MayBeReserved(path) && StreamPath.IsReserved(path))
        {
            return ClusterEndpoints.IsClusterEndpoint(request.Path) ? AccessRequest.ClusterRequest : Reserved(request, path);
        }

        if (StreamPath.IsSubscription(path))
        {
            return Subscription(request.Method, path);
        }

        var method = request.Method;
        var needed = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? AccessLevel.Read
            : HttpMethods.IsPost(method) || HttpMethods.IsPut(method) ? AccessLevel.Write
            : HttpMethods.IsDelete(method) ? AccessLevel.Admin
            : AccessLevel.Admin;
        var fork = HttpMethods.IsPut(method) && request.Headers[ProtocolHeaders.ForkedFrom].ToString() is { Length: > 0 } header
            ? StreamPath.FromUrlPath(header) ?? header
            : null;
        var live = HttpMethods.IsGet(method) && request.Query[ProtocolHeaders.LiveQuery].ToString() is "sse" or "long-poll";
        return new AccessRequest(RequestArea.Stream, needed, path, fork, live, HttpMethods.IsPut(method));
    }

    /// <summary>True for every spelling of the hub's path (and its negotiate endpoint).</summary>
    public static bool IsHub(PathString path) =>
        path.Value is { } value && StreamPath.MayBeReserved(value)
        && StreamPath.NormalizedSegments(value) is [var first, var second, ..]
        && first.Equals(StreamPath.ReservedSegment, StringComparison.OrdinalIgnoreCase)
        && second.Equals(Hub.StreamHubOptions.RelativePath[1..], StringComparison.OrdinalIgnoreCase);

    public static bool IsLoopback(System.Net.IPAddress? remote) =>
        remote is not null && System.Net.IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    private static AccessRequest Reserved(HttpRequest request, string path)
    {
        var segments = StreamPath.NormalizedSegments(path);
        var area = segments.Count > 1 ? segments[1].ToLowerInvariant() : string.Empty;
        return area switch
        {
            "health" or "cluster" or "ui" => AccessRequest.PublicRequest,

            // Operators scrape metrics from the node's own machine without a token; from anywhere
            // else they need admin:/** (Hosting/Observability/OperatorAccess then lets them in).
            "metrics" when IsLoopback(request.HttpContext.Connection.RemoteIpAddress) => AccessRequest.PublicRequest,
            "hub" => new AccessRequest(RequestArea.Hub, AccessLevel.None, path,
                Live: HttpMethods.IsGet(request.Method) && !(segments.Count > 2 && segments[2].Equals("negotiate", StringComparison.OrdinalIgnoreCase))),
            "streams" when segments.Count == 2 => new AccessRequest(RequestArea.Listing, AccessLevel.Read, path),
            _ => new AccessRequest(RequestArea.Reserved, AccessLevel.Admin, "/"),
        };
    }

    /// <summary>
    /// {root}/__ds/...: reading a subscription needs read on the whole subtree under root, claiming
    /// its wake write, creating, changing or deleting it admin; its signing keys are public, and
    /// callback, ack and release carry the subscription's own tokens.
    /// </summary>
    private static AccessRequest Subscription(string method, string path)
    {
        var segments = path.Split('/');
        var at = Array.IndexOf(segments, StreamPath.SubscriptionSegment);
        var root = at <= 1 ? "/" : string.Join('/', segments[..at]);
        string[] rest = [.. segments[(at + 1)..]];
        return rest switch
        {
            ["jwks.json"] when HttpMethods.IsGet(method) || HttpMethods.IsHead(method) => AccessRequest.PublicRequest,
            ["subscriptions", _, "callback" or "ack" or "release"] => new AccessRequest(RequestArea.SubscriptionToken, AccessLevel.None, root),
            ["subscriptions", _, "claim"] => new AccessRequest(RequestArea.Subscription, AccessLevel.Write, root),
            ["subscriptions", _] when HttpMethods.IsGet(method) || HttpMethods.IsHead(method) => new AccessRequest(RequestArea.Subscription, AccessLevel.Read, root),
            _ => new AccessRequest(RequestArea.Subscription, AccessLevel.Admin, root),
        };
    }
}
