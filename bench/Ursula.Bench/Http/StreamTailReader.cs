namespace Ursula.Bench.Http;

/// <summary>
/// Reads a stream from the start to its tail: GET ?offset=-1, then follows Stream-Next-Offset
/// until a response carries Stream-Up-To-Date: true. Bodies pass through one reusable buffer to
/// <c>onData</c> with the position they start at; nothing is kept.
/// </summary>
public static class StreamTailReader
{
    public delegate void DataHandler(ReadOnlySpan<byte> data, long position);

    /// <summary>Returns the bytes read and the number of GET requests it took.</summary>
    public static async Task<(long Bytes, int Requests)> ReadToTailAsync(
        HttpClient client, string streamUrl, byte[] buffer, DataHandler onData, CancellationToken ct)
    {
        var offset = "-1";
        long bytes = 0;
        var requests = 0;
        while (true)
        {
            var url = $"{streamUrl}?offset={Uri.EscapeDataString(offset)}";
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            requests++;
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
                    onData(buffer.AsSpan(0, read), bytes);
                    bytes += read;
                    received += read;
                }
            }

            var next = StreamApi.Header(response, StreamApi.NextOffsetHeader)
                ?? throw new InvalidOperationException($"GET {url}: no {StreamApi.NextOffsetHeader} header");
            if (string.Equals(StreamApi.Header(response, StreamApi.UpToDateHeader), "true", StringComparison.OrdinalIgnoreCase))
            {
                return (bytes, requests);
            }

            if (received == 0 && next == offset)
            {
                throw new InvalidOperationException($"GET {url}: empty response without progress or Stream-Up-To-Date");
            }

            offset = next;
        }
    }
}
