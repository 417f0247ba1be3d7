// Cluster administration under /_ursula/admin: list, add and remove members of the Raft group.
// Membership changes run on the leader; a follower relays the request there, so any node works.
using System.Net;
using System.Text;
using System.Text.Json;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Http;
using Microsoft.AspNetCore.Connections;

namespace Ursula.Server.Hosting;

public static class AdminEndpoints
{
    public const string MembersPath = "/admin/members";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(MembersPath, (IRaftCluster cluster) => Results.Json(
            cluster.Members.Select(m => new ClusterMemberStatus(NodeUrls.FromRaftEndpoint(m.EndPoint), m.IsLeader, !m.IsRemote, m.Status.ToString().ToLowerInvariant())).ToList(),
            HostingJsonContext.Default.ListClusterMemberStatus));
        endpoints.MapPost(MembersPath, (HttpContext context, IRaftHttpCluster cluster) => ChangeAsync(context, cluster, add: true));
        endpoints.MapDelete(MembersPath, (HttpContext context, IRaftHttpCluster cluster) => ChangeAsync(context, cluster, add: false));
    }

    private static async Task<IResult> ChangeAsync(HttpContext context, IRaftHttpCluster cluster, bool add)
    {
        var url = context.Request.Query["url"].ToString();
        if (!Uri.TryCreate(url.TrimEnd('/'), UriKind.Absolute, out var node) || node.Scheme is not ("http" or "https"))
        {
            return Results.Problem(statusCode: 400, detail: "Pass the member's base URL as ?url=http://host:port");
        }

        var raft = (IRaftCluster)cluster;
        if (raft.LeadershipToken.IsCancellationRequested)
        {
            return await RelayToLeaderAsync(context, raft);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            var changed = add
                ? await cluster.AddMemberAsync(Membership.RaftEndpoint(node), limit.Token)
                : await cluster.RemoveMemberAsync(Membership.RaftEndpoint(node), limit.Token);
            return changed
                ? Results.Json(new MembershipChange(add ? "added" : "removed", node.ToString().TrimEnd('/')), HostingJsonContext.Default.MembershipChange)
                : Results.Problem(statusCode: 409, detail: add
                    ? "Not added: it is already a member, or it did not answer and catch up (start it with --join first)"
                    : "Not removed: it is not a member");
        }
        catch (RaftProtocolException e)
        {
            // Raised, among others, when another membership change is still in progress.
            return Results.Problem(statusCode: 409, detail: $"Membership change refused: {e.Message}");
        }
        catch (NotLeaderException)
        {
            return Results.Problem(statusCode: 503, detail: "Leadership changed during the request; retry");
        }
    }

    private static async Task<IResult> RelayToLeaderAsync(HttpContext context, IRaftCluster raft)
    {
        if (raft.Leader?.EndPoint is not UriEndPoint { Uri: var leaderRaft })
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Problem(statusCode: 503, detail: "No leader is elected right now; retry shortly");
        }

        using var http = new HttpClient(context.RequestServices.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("admin")) { Timeout = TimeSpan.FromMinutes(3) };
        var target = new Uri(new Uri(leaderRaft.GetLeftPart(UriPartial.Authority)), Streams.StreamPath.ReservedPrefix + MembersPath + context.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        try
        {
            using var response = await http.SendAsync(request, context.RequestAborted);
            var body = await response.Content.ReadAsStringAsync(context.RequestAborted);
            return Results.Text(body, response.Content.Headers.ContentType?.ToString() ?? "application/json", Encoding.UTF8, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            // The leader went away (or is slow) mid-failover.
            context.Response.Headers.RetryAfter = "1";
            return Results.Problem(statusCode: 503, detail: $"The leader at {target.Authority} did not answer ({e.Message}); check the members and retry shortly");
        }
    }
}

public sealed record MembershipChange(string Change, string Url);
