// GET /_ursula/streams?prefix=/a/&after=/a/b&limit=100: one page of this node's streams in path
// order, as this node has applied them. "next" is the "after" of the following page (null on the
// last). A client surface like the hub (same cross-origin policy), not a cluster endpoint. With
// authentication on it lists only the streams the caller's grants let it read.
using System.Globalization;
using System.Text.Json.Serialization;
using Ursula.Server.State;
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

public static class StreamListingEndpoint
{
    public const string Path = "/streams";

    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;

    public static RouteHandlerBuilder Map(IEndpointRouteBuilder endpoints) => endpoints.MapGet(Path, List);

    private static IResult List(HttpContext context, StreamCatalog catalog, Access.AccessPolicy policy, TimeProvider time)
    {
        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        var after = query["after"].ToString();
        var limitText = query["limit"].ToString();
        var limit = DefaultLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Results.Problem(statusCode: 400, detail: $"limit must be a whole number from 1 to {MaxLimit}");
        }

        var page = Visible(catalog, policy, context.User, prefix, after.Length > 0 ? after : null, limit + 1, time.GetUtcNow().ToUnixTimeMilliseconds());
        var streams = page.Take(limit).Select(Entry).ToList();
        var next = page.Count > limit ? streams[^1].Path : null;
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new StreamListing(streams, next), ListingJsonContext.Default.StreamListing);
    }

    /// <summary>
    /// Up to <paramref name="count"/> streams after <paramref name="after"/> that the caller may
    /// read. Streams it may not read are skipped, never counted or named (the next page starts
    /// after the last stream shown), so a listing reveals nothing beyond the caller's grants.
    /// </summary>
    private static List<StreamMeta> Visible(StreamCatalog catalog, Access.AccessPolicy policy, System.Security.Claims.ClaimsPrincipal user, string prefix, string? after, int count, long nowMs)
    {
        if (!policy.Enabled)
        {
            return [.. catalog.List(prefix, after, count, nowMs)];
        }

        var visible = new List<StreamMeta>(count);
        var cursor = after;
        while (visible.Count < count)
        {
            var chunk = catalog.List(prefix, cursor, MaxLimit, nowMs);
            visible.AddRange(chunk.Where(m => policy.Allows(user, Access.AccessLevel.Read, m.Path)).Take(count - visible.Count));
            if (chunk.Count < MaxLimit)
            {
                break;
            }

            cursor = chunk[^1].Path;
        }

        return visible;
    }

    private static StreamListingEntry Entry(StreamMeta meta) => new(
        meta.Path,
        meta.ContentType,
        StreamOffset.Format(meta.Tail),
        meta.Closed,
        DateTimeOffset.FromUnixTimeMilliseconds(meta.CreatedAtMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        meta.TtlSeconds,
        meta.ExpiresAt,
        meta.Fork?.SourcePath);
}

public sealed record StreamListing(IReadOnlyList<StreamListingEntry> Streams, string? Next);

public sealed record StreamListingEntry(string Path, string ContentType, string NextOffset, bool Closed, string CreatedAt, long? TtlSeconds, string? ExpiresAt, string? ForkedFrom);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StreamListing))]
internal sealed partial class ListingJsonContext : JsonSerializerContext;
