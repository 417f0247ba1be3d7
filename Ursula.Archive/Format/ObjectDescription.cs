// What an object holds, written as JSON into the Parquet footer's key-value metadata under
// "ursula.archive", so the object describes itself: a restore rebuilds streams and manifest
// entries from the objects alone, without PostgreSQL. Byte ranges of row groups are not in it
// (the footer they would describe is written after it); readers take them from the footer.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ursula.Archive.Format;

public sealed record ObjectDescription(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("object_id")] string ObjectId,
    [property: JsonPropertyName("written_at_ms")] long WrittenAtMs,
    [property: JsonPropertyName("supersedes")] IReadOnlyList<string> Supersedes,
    [property: JsonPropertyName("streams")] IReadOnlyList<StreamRange> Streams)
{
    public string ToJson() => JsonSerializer.Serialize(this, DescriptionJson.Default.ObjectDescription);

    public static ObjectDescription FromJson(string json) =>
        JsonSerializer.Deserialize(json, DescriptionJson.Default.ObjectDescription)
        ?? throw new FormatException("The object description is null.");
}

/// <summary>One stream's range in an object and the row groups (with the positions each holds).</summary>
public sealed record StreamRange(
    [property: JsonPropertyName("stream_id")] long StreamId,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("content_type")] string ContentType,
    [property: JsonPropertyName("start")] long Start,
    [property: JsonPropertyName("end")] long End,
    [property: JsonPropertyName("row_groups")] IReadOnlyList<RowGroupSpan> RowGroups);

public sealed record RowGroupSpan(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("start")] long Start,
    [property: JsonPropertyName("end")] long End);

[JsonSerializable(typeof(ObjectDescription))]
internal sealed partial class DescriptionJson : JsonSerializerContext;
