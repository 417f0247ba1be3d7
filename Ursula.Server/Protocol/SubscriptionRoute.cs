// Where a request under the reserved __ds prefix points. The stream root is everything before
// the first path segment that is exactly "__ds": /v1/stream/__ds/subscriptions/x has the root
// /v1/stream (the conformance suite's layout), /__ds/subscriptions/x the server root (the
// README's streams, /demo/hello, are then demo/hello). Streams can never have a __ds segment, so
// no stream is shadowed. Segments after it are percent-decoded one by one, so a stream path in
// .../streams/{path} may be one encoded segment (manual%2Fb) or several (manual/b).
namespace Ursula.Server.Protocol;

public sealed record SubscriptionRoute(string Root, string[] Rest)
{
    public const string Segment = Streams.StreamPath.SubscriptionSegment;

    /// <summary>Null when the path has no literal __ds segment (an encoded %2F__ds is not a root marker).</summary>
    public static SubscriptionRoute? Parse(string path)
    {
        var segments = path.Split('/');
        var at = Array.IndexOf(segments, Segment);
        if (at < 1)
        {
            return null;
        }

        var root = string.Join('/', segments[..at]);
        var rest = new string[segments.Length - at - 1];
        for (var i = 0; i < rest.Length; i++)
        {
            try
            {
                rest[i] = Uri.UnescapeDataString(segments[at + 1 + i]);
            }
            catch (UriFormatException)
            {
                return null;
            }
        }

        return new SubscriptionRoute(root, rest);
    }

    /// <summary>The subscription id of .../subscriptions/{id}[/...], or null.</summary>
    public string? Id => Rest is ["subscriptions", var id, ..] && id.Length > 0 ? id : null;

    /// <summary>What follows the id: "" for the subscription itself, else "streams", "claim", ...</summary>
    public string Action => Rest.Length > 2 ? Rest[2] : string.Empty;

    /// <summary>The root-relative stream path of .../streams/{path...}.</summary>
    public string? StreamArgument => Rest.Length > 3 && Rest[2] == "streams" ? string.Join('/', Rest[3..]) : null;
}
