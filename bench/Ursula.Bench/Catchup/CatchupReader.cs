using System.Diagnostics;
using Ursula.Bench.Append;
using Ursula.Bench.Http;

namespace Ursula.Bench.Catchup;

/// <summary>
/// One catch-up client: GET ?offset=-1, then follows Stream-Next-Offset until a response carries
/// Stream-Up-To-Date: true. Bodies are streamed through one reusable buffer, counted and verified.
/// </summary>
public sealed class CatchupReader(HttpClient client, string streamUrl, byte[] pattern, int bufferSize)
{
    public long Bytes { get; private set; }

    public int Requests { get; private set; }

    public double Seconds { get; private set; }

    public bool ContentOk { get; private set; } = true;

    public string? Error { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var buffer = new byte[bufferSize];
        var offset = "-1";
        var start = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                var url = $"{streamUrl}?offset={Uri.EscapeDataString(offset)}";
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
                Requests++;
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
                        if (ContentOk && !FillPattern.Verify(buffer.AsSpan(0, read), Bytes, pattern))
                        {
                            ContentOk = false;
                        }

                        Bytes += read;
                        received += read;
                    }
                }

                var next = StreamApi.Header(response, StreamApi.NextOffsetHeader)
                    ?? throw new InvalidOperationException($"GET {url}: no {StreamApi.NextOffsetHeader} header");
                if (string.Equals(StreamApi.Header(response, StreamApi.UpToDateHeader), "true", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }

                if (received == 0 && next == offset)
                {
                    throw new InvalidOperationException($"GET {url}: empty response without progress or Stream-Up-To-Date");
                }

                offset = next;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Error = $"{e.GetType().Name}: {e.Message}";
        }

        Seconds = RunClock.Seconds(Stopwatch.GetTimestamp() - start);
    }
}
