// Reading a stream the ways clients do, for tests that compare what comes back with what was
// written: chunked catch-up from any offset, one long-poll, and SSE until up to date.
using System.Net;
using System.Text;
using Ursula.Server.Streams;

namespace Ursula.Tests.Archive;

public static class StreamReads
{
    /// <summary>Bytes from <paramref name="offset"/> to the tail, following chunked catch-up responses.</summary>
    public static async Task<byte[]> CatchUpAsync(HttpClient client, string path, string offset, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream();
        for (var reads = 0; reads < 100_000; reads++)
        {
            using var response = await client.GetAsync($"{path}?offset={offset}", cancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}?offset={offset} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            await response.Content.CopyToAsync(data, cancellationToken);
            offset = response.Headers.GetValues("Stream-Next-Offset").Single();
            if (response.Headers.Contains("Stream-Up-To-Date"))
            {
                return data.ToArray();
            }
        }

        throw new InvalidOperationException($"{path} never reached its tail.");
    }

    /// <summary>One long-poll from <paramref name="offset"/>: what it returns when data is there.</summary>
    public static async Task<(byte[] Body, string Next)> LongPollAsync(HttpClient client, string path, string offset, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync($"{path}?offset={offset}&live=long-poll", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsByteArrayAsync(cancellationToken), response.Headers.GetValues("Stream-Next-Offset").Single());
    }

    /// <summary>
    /// The data events of an SSE read from <paramref name="offset"/> until a control event says
    /// up to date; base64 payloads are decoded.
    /// </summary>
    public static async Task<byte[]> SseUntilUpToDateAsync(HttpClient client, string path, string offset, bool base64, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        using var response = await client.GetAsync($"{path}?offset={offset}&live=sse", HttpCompletionOption.ResponseHeadersRead, limit.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(limit.Token), Encoding.UTF8);
        using var data = new MemoryStream();
        string? eventType = null;
        var lines = new List<string>();
        while (await reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                eventType = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = line["data:".Length..];
                lines.Add(value.StartsWith(' ') ? value[1..] : value);
            }
            else if (line.Length == 0 && eventType is not null)
            {
                var payload = string.Join('\n', lines);
                if (eventType == "data")
                {
                    data.Write(base64 ? Convert.FromBase64String(payload) : Encoding.UTF8.GetBytes(payload));
                }
                else if (eventType == "control" && payload.Contains("\"upToDate\":true", StringComparison.Ordinal))
                {
                    return data.ToArray();
                }

                eventType = null;
                lines.Clear();
            }
        }

        throw new InvalidOperationException($"The SSE read of {path} ended before it was up to date.");
    }

    public static string Offset(long position) => StreamOffset.Format(position);
}
