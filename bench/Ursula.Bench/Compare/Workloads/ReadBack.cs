using Ursula.Bench.Http;

namespace Ursula.Bench.Compare.Workloads;

/// <summary>
/// Reads whole streams back and counts their bytes: after a wrk run, the appends the streams hold must
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
        var (bytes, _) = await StreamTailReader.ReadToTailAsync(client, streamUrl, new byte[64 * 1024], static (_, _) => { }, ct);
        return bytes;
    }
}
