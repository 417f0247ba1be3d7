using Ursula.Bench.Http;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// Reads whole streams back (GET from offset -1, following Stream-Next-Offset until
/// Stream-Up-To-Date) and counts their bytes: after a wrk run, the appends the streams hold must
/// cover every append wrk saw acknowledged.
/// </summary>
public static class ReadBack
{
    public static async Task<long> TotalBytesAsync(HttpClient client, IReadOnlyList<string> streamUrls, CancellationToken ct)
    {
        long total = 0;
        await Parallel.ForEachAsync(
            streamUrls,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (url, token) => Interlocked.Add(ref total, await StreamBytesAsync(client, url, token)));
        return total;
    }

    private static async Task<long> StreamBytesAsync(HttpClient client, string streamUrl, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var offset = "-1";
        long bytes = 0;
        for (var requests = 0; requests < 100_000; requests++)
        {
            var url = $"{streamUrl}?offset={Uri.EscapeDataString(offset)}";
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {url} returned {(int)response.StatusCode}");
            }

            long received = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            {
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    received += read;
                }
            }

            bytes += received;
            var next = StreamApi.Header(response, StreamApi.NextOffsetHeader)
                ?? throw new InvalidOperationException($"GET {url}: no {StreamApi.NextOffsetHeader} header");
            if (string.Equals(StreamApi.Header(response, StreamApi.UpToDateHeader), "true", StringComparison.OrdinalIgnoreCase)
                || (received == 0 && next == offset))
            {
                return bytes;
            }

            offset = next;
        }

        throw new InvalidOperationException($"{streamUrl}: not up to date after 100,000 reads");
    }
}
