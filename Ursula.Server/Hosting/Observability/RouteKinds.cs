// The route kind a request is counted under in the metrics: a small fixed set, so that a label
// never carries a stream path (unbounded cardinality) or anything a client chose.
using Ursula.Server.Hosting.Security;
using Ursula.Server.Hub;
using Ursula.Server.Protocol;
using Ursula.Server.Streams;

namespace Ursula.Server.Hosting.Observability;

internal static class RouteKinds
{
    public const string Append = "append";
    public const string Create = "create";
    public const string Read = "read";
    public const string ReadSse = "read_sse";
    public const string ReadLongPoll = "read_long_poll";
    public const string Head = "head";
    public const string Delete = "delete";
    public const string Raft = "raft";
    public const string Cluster = "cluster";
    public const string Hub = "hub";
    public const string Node = "node";
    public const string Other = "other";

    public static string Of(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        if (StreamPath.IsReserved(path))
        {
            if (ClusterEndpoints.IsRaft(request.Path))
            {
                return Raft;
            }

            if (ClusterEndpoints.IsClusterEndpoint(request.Path))
            {
                return Cluster;
            }

            return path.StartsWith(StreamHubOptions.Path, StringComparison.OrdinalIgnoreCase) ? Hub : Node;
        }

        var method = request.Method;
        if (HttpMethods.IsGet(method))
        {
            return request.Query[ProtocolHeaders.LiveQuery].ToString() switch
            {
                "sse" => ReadSse,
                "long-poll" => ReadLongPoll,
                _ => Read,
            };
        }

        return method switch
        {
            _ when HttpMethods.IsPost(method) => Append,
            _ when HttpMethods.IsPut(method) => Create,
            _ when HttpMethods.IsHead(method) => Head,
            _ when HttpMethods.IsDelete(method) => Delete,
            _ => Other,
        };
    }

    /// <summary>The live-connection kind of a route, or null for requests that are not live readers.</summary>
    public static string? LiveKind(string route) => route switch
    {
        ReadSse => "sse",
        ReadLongPoll => "long-poll",
        _ => null,
    };
}
