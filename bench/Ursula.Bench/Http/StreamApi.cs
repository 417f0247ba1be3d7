using System.Net;

namespace Ursula.Bench.Http;

/// <summary>The few Durable Streams operations the workloads need (PUT create, POST append).</summary>
public static class StreamApi
{
    public const string NextOffsetHeader = "Stream-Next-Offset";
    public const string UpToDateHeader = "Stream-Up-To-Date";
    public const string SseEncodingHeader = "stream-sse-data-encoding";

    /// <summary>PUT the stream; 201 (created) and 200 (already exists, same config) are success.</summary>
    public static async Task CreateAsync(HttpClient client, string url, string contentType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url);
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await client.SendAsync(request, ct);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new InvalidOperationException($"PUT {url} returned {(int)response.StatusCode}: {Truncate(body)}");
        }
    }

    /// <summary>Creates all streams with bounded parallelism.</summary>
    public static Task CreateManyAsync(
        HttpClient client, IReadOnlyList<string> urls, string contentType, int parallelism, CancellationToken ct) =>
        Parallel.ForEachAsync(
            urls,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (url, token) => await CreateAsync(client, url, contentType, token));

    /// <summary>Builds a POST append over a pre-allocated payload (no copy).</summary>
    public static HttpRequestMessage NewAppend(string url, ReadOnlyMemory<byte> payload, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ReadOnlyMemoryContent(payload),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return request;
    }

    /// <summary>POSTs once and throws unless the server answered 200 or 204.</summary>
    public static async Task AppendOrThrowAsync(
        HttpClient client, string url, ReadOnlyMemory<byte> payload, string contentType, CancellationToken ct)
    {
        using var request = NewAppend(url, payload, contentType);
        using var response = await client.SendAsync(request, ct);
        if (response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.OK))
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new InvalidOperationException($"POST {url} returned {(int)response.StatusCode}: {Truncate(body)}");
        }
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public static bool IsSuccess(HttpStatusCode status) => status is HttpStatusCode.OK or HttpStatusCode.NoContent;

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
