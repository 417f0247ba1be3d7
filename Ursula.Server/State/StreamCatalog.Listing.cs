// Listing streams in path order, for the console and for clients that browse: a page of the
// streams a read would find (not deleted, not soft-deleted, not expired) whose path starts with a
// prefix, after a given path. Paging by the last path seen stays correct while streams come and go.
namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    /// <summary>Up to <paramref name="limit"/> streams under <paramref name="prefix"/> with paths after <paramref name="after"/>, in ordinal order.</summary>
    public IReadOnlyList<StreamMeta> List(string prefix, string? after, int limit, long nowMs) =>
        byPath.Values
            .Where(h => !h.Removed)
            .Select(h => h.Meta)
            .Where(m => m.Path.StartsWith(prefix, StringComparison.Ordinal)
                && (after is null || string.CompareOrdinal(m.Path, after) > 0)
                && !m.SoftDeleted
                && !m.IsExpiredAt(nowMs))
            .OrderBy(m => m.Path, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
}
