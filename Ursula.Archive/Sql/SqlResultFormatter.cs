// Renders a result as a table, CSV or JSON. Every format spells values the same way: timestamps
// in ISO 8601 (with Z when the column is a TIMESTAMP WITH TIME ZONE, which DuckDB shows in UTC
// here), blobs (the payload column) in base64, numbers with the invariant culture.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ursula.Archive.Sql;

public static class SqlResultFormatter
{
    public static string Format(SqlResult result, SqlOutputFormat format, int maxCellWidth = 80)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, result, format, maxCellWidth);
        return writer.ToString();
    }

    public static void Write(TextWriter output, SqlResult result, SqlOutputFormat format, int maxCellWidth = 80)
    {
        switch (format)
        {
            case SqlOutputFormat.Table:
                WriteTable(output, result, maxCellWidth);
                break;
            case SqlOutputFormat.Csv:
                WriteCsv(output, result);
                break;
            case SqlOutputFormat.Json:
                WriteJson(output, result);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
    }

    /// <summary>One value as text, the way every format spells it; null for SQL NULL.</summary>
    public static string? Text(object? value, string type) => value switch
    {
        null or DBNull => null,
        string s => s,
        byte[] bytes => Convert.ToBase64String(bytes),
        bool b => b ? "true" : "false",
        DateTime t when type.Contains("TIME ZONE", StringComparison.OrdinalIgnoreCase) || type.Contains("TimestampTz", StringComparison.OrdinalIgnoreCase)
            => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(v => Text(v, "") ?? "NULL")) + "]",
        _ => value.ToString(),
    };

    private static void WriteTable(TextWriter output, SqlResult result, int maxCellWidth)
    {
        var cells = result.Rows.Select(row => row.Select((v, i) => Clip(Text(v, result.Types[i]) ?? "NULL", maxCellWidth)).ToArray()).ToList();
        var widths = result.Columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var numeric = result.Rows.Count > 0
            ? result.Columns.Select((_, i) => result.Rows.All(r => r[i] is null or DBNull or sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal or System.Numerics.BigInteger)).ToArray()
            : new bool[result.Columns.Count];
        output.WriteLine(string.Join(" | ", result.Columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
        {
            output.WriteLine(string.Join(" | ", row.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        }

        output.WriteLine(result.Rows.Count == 1 ? "(1 row)" : $"({result.Rows.Count} rows)");
    }

    private static string Clip(string text, int width)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= width ? oneLine : string.Concat(oneLine.AsSpan(0, Math.Max(1, width - 1)), "…");
    }

    private static void WriteCsv(TextWriter output, SqlResult result)
    {
        output.Write(string.Join(',', result.Columns.Select(Quote)));
        output.Write("\r\n");
        foreach (var row in result.Rows)
        {
            output.Write(string.Join(',', row.Select((v, i) => Text(v, result.Types[i]) is { } text ? Quote(text) : "")));
            output.Write("\r\n");
        }
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static void WriteJson(TextWriter output, SqlResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in result.Rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    json.WritePropertyName(result.Columns[i]);
                    WriteJsonValue(json, row[i], result.Types[i]);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value, string type)
    {
        switch (value)
        {
            case null or DBNull:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                json.WriteNumberValue(u);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case System.Numerics.BigInteger n:
                json.WriteRawValue(n.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteStringValue(Text(value, type));
                break;
        }
    }
}
