namespace Ursula.Server.Hosting;

/// <summary>Members are known to Raft by their transport endpoint; users know a node by its base URL.</summary>
public static class NodeUrls
{
    public static string FromRaftEndpoint(object? endpoint)
    {
        var text = endpoint?.ToString() ?? string.Empty;
        return text.EndsWith(Security.ClusterEndpoints.RaftPath, StringComparison.Ordinal) ? text[..^Security.ClusterEndpoints.RaftPath.Length] : text;
    }
}
