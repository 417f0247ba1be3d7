// What one server answered to one request: status, the protocol's headers, the body, and for SSE
// the events up to the first control event (or the end of the response).
using System.Net.Http.Headers;
using System.Text;

namespace Ursula.Tests.Differential;

public sealed record ObservedResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, IReadOnlyList<(string Type, string Data)> Events, string? Error)
{
    public static readonly string[] ProtocolHeaders =
    [
        "Stream-Next-Offset", "Stream-Up-To-Date", "Stream-Closed", "Stream-TTL", "Stream-Expires-At",
        "Producer-Epoch", "Producer-Seq", "Producer-Expected-Seq", "Producer-Received-Seq", "Content-Type", "Location",
        "Stream-SSE-Data-Encoding",
    ];

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => string.Equals(Header(name), "true", StringComparison.OrdinalIgnoreCase);

    public static async Task<ObservedResponse> ReadAsync(HttpResponseMessage response, bool sse, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat<KeyValuePair<string, IEnumerable<string>>>(response.Content.Headers))
        {
            if (ProtocolHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                headers[name] = string.Join(",", values);
            }
        }

        if (!sse || !response.IsSuccessStatusCode)
        {
            return new ObservedResponse((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync(cancellationToken), [], null);
        }

        var events = new List<(string, string)>();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(limit.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? type = null;
            var data = new List<string>();
            while (await reader.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (type is not null)
                    {
                        events.Add((type, string.Join('\n', data)));
                        if (type == "control")
                        {
                            break;
                        }
                    }

                    (type, data) = (null, []);
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    // Standard SSE parsing: one space after the colon is dropped.
                    data.Add(line.Length > 5 && line[5] == ' ' ? line[6..] : line[5..]);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return new ObservedResponse((int)response.StatusCode, headers, [], events, null);
    }

    public static ObservedResponse Failed(Exception error) =>
        new(0, new Dictionary<string, string>(), [], [], $"{error.GetType().Name}: {error.Message}");

    public string Summary()
    {
        if (Error is not null)
        {
            return Error;
        }

        var text = new StringBuilder($"{Status}");
        foreach (var (name, value) in Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            text.Append($" {name}: {value};");
        }

        if (Body.Length > 0)
        {
            text.Append($" body {(Body.Length > 80 ? Encoding.UTF8.GetString(Body, 0, 80) + "..." : Encoding.UTF8.GetString(Body))}");
        }

        foreach (var (type, data) in Events)
        {
            text.Append($" [{type}: {(data.Length > 80 ? data[..80] + "..." : data)}]");
        }

        return text.ToString();
    }

    public static string MediaType(string? contentType) =>
        contentType is null ? string.Empty : MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType?.ToLowerInvariant() ?? string.Empty : contentType;
}
