using System.Text.Json;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// The "archive" section of a node's GET /_ursula/health answer: payload bytes not yet archived
/// (over all streams of the node), objects written and ranges archived since the node started,
/// and the archiver's last error while it is failing.
/// </summary>
public sealed record ArchiveProgress(long HotBytes, long ObjectsWritten, long RangesArchived, string? Failing)
{
    /// <summary>Nothing left in PostgreSQL or the hot tail: every byte written lives in the archive only.</summary>
    public bool NothingHot => HotBytes == 0 && Failing is null;

    /// <summary>The archive section of a health answer; null when the answer has none (archiving off).</summary>
    public static ArchiveProgress? Parse(string healthJson)
    {
        using var document = JsonDocument.Parse(healthJson);
        if (!document.RootElement.TryGetProperty("archive", out var archive) || archive.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // A missing count is unknown, not zero: -1 never passes for "nothing hot".
        long Number(string name) =>
            archive.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : -1;
        var failing = archive.TryGetProperty("failing", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        return new ArchiveProgress(Number("hotBytes"), Number("objectsWritten"), Number("rangesArchived"), failing);
    }
}
