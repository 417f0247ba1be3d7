using System.Text.Json;

namespace Ursula.Bench.Compare.Systems;

/// <summary>The part of a node's GET /_ursula/cluster answer the harness needs: its role and the leader it knows.</summary>
public sealed record ClusterStatus(string Self, string Role, string? Leader)
{
    public bool IsLeader => Role == "leader";

    public static ClusterStatus Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string? Text(string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new ClusterStatus(Text("self") ?? "", Text("role") ?? "unknown", Text("leader"));
    }

    /// <summary>
    /// The leader all nodes that answered agree on and that itself answered "leader", or null.
    /// Trusting a follower's word alone could send the load to a deposed leader.
    /// </summary>
    public static string? AgreedLeader(IReadOnlyList<ClusterStatus> statuses)
    {
        var leaders = statuses.Where(s => s.IsLeader).Select(s => s.Self).Distinct(StringComparer.Ordinal).ToList();
        if (leaders.Count != 1)
        {
            return null;
        }

        var leader = leaders[0].TrimEnd('/');
        return statuses.All(s => s.Leader is null || s.Leader.TrimEnd('/') == leader) ? leader : null;
    }
}
