// Checks what an AppendLoad left behind: every stream is read in full from every node (following
// chunked catch-up reads until Stream-Up-To-Date). All nodes must return byte-identical streams, and
// in each stream every writer's entries must be exactly 0..K-1 in order, with no duplicates, each
// intact, and K at least its highest acknowledged sequence number + 1 (exactly that once the load
// was drained, since then nothing was sent that was not acknowledged in the end).
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Ursula.Tests.Cluster;

public static class AppendChecker
{
    public static async Task<CheckReport> CheckAsync(AppendLoad load, IReadOnlyList<Uri> nodes, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        long entries = 0, bytes = 0;
        var counts = new long[load.Writers];
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var path in load.StreamPaths)
        {
            var copies = new byte[nodes.Count][];
            for (var n = 0; n < nodes.Count; n++)
            {
                copies[n] = await ReadAllAsync(client, new Uri(nodes[n], path), cancellationToken);
            }

            for (var n = 1; n < nodes.Count; n++)
            {
                if (!copies[n].AsSpan().SequenceEqual(copies[0]))
                {
                    var common = copies[n].AsSpan().CommonPrefixLength(copies[0]);
                    problems.Add($"{path}: node {n} ({copies[n].Length} bytes, sha256 {Hash(copies[n])}) differs from node 0 ({copies[0].Length} bytes, sha256 {Hash(copies[0])}) from byte {common}");
                }
            }

            bytes += copies[0].Length;
            entries += CheckEntries(load, path, copies[0], counts, problems);
        }

        for (var w = 0; w < load.Writers; w++)
        {
            var acknowledged = load.HighestAcknowledged(w);
            if (counts[w] < acknowledged + 1)
            {
                problems.Add($"{AppendLoad.ProducerId(w)}: acknowledged up to seq {acknowledged} but {load.StreamOf(w)} holds only {counts[w]} of its entries");
            }
            else if (load.Drained && counts[w] != acknowledged + 1)
            {
                problems.Add($"{AppendLoad.ProducerId(w)}: acknowledged up to seq {acknowledged} (drained) but {load.StreamOf(w)} holds {counts[w]} of its entries");
            }
        }

        return new CheckReport(entries, bytes, problems);
    }

    /// <summary>Reads a whole stream from the start as bytes, following chunked responses to the tail.</summary>
    public static async Task<byte[]> ReadAllAsync(HttpClient client, Uri stream, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream();
        var offset = "-1";
        for (var reads = 0; ; reads++)
        {
            using var response = await client.GetAsync(new Uri(stream, $"?offset={offset}"), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {stream}?offset={offset} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await response.Content.CopyToAsync(data, cancellationToken);
            var next = response.Headers.GetValues("Stream-Next-Offset").Single();
            if (response.Headers.Contains("Stream-Up-To-Date"))
            {
                return data.ToArray();
            }

            if (next == offset || reads > 100_000)
            {
                throw new InvalidOperationException($"GET {stream}?offset={offset} did not advance (Stream-Next-Offset {next}) and is not up to date.");
            }

            offset = next;
        }
    }

    private static long CheckEntries(AppendLoad load, string path, byte[] content, long[] counts, List<string> problems)
    {
        var text = Encoding.ASCII.GetString(content);
        if (text.Length > 0 && text[^1] != '\n')
        {
            problems.Add($"{path}: ends in the middle of an entry");
        }

        long entries = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            entries++;
            var parts = line.Split(':');
            if (parts.Length != 3 || !parts[0].StartsWith('w')
                || !int.TryParse(parts[0].AsSpan(1), CultureInfo.InvariantCulture, out var writer) || writer < 0 || writer >= load.Writers
                || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var seq) || parts[2].AsSpan().ContainsAnyExcept('x'))
            {
                problems.Add($"{path}: malformed entry at #{entries}: {Shorten(line)}");
                continue;
            }

            if (load.StreamOf(writer) != path)
            {
                problems.Add($"{path}: entry {Shorten(line)} belongs to {load.StreamOf(writer)}");
                continue;
            }

            if (seq != counts[writer])
            {
                problems.Add($"{path}: {parts[0]} seq {seq} where seq {counts[writer]} was expected ({(seq < counts[writer] ? "duplicate or reordered" : "gap")})");
                counts[writer] = Math.Max(counts[writer], seq + 1);
                continue;
            }

            counts[writer]++;
        }

        return entries;
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "...";

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    public sealed record CheckReport(long Entries, long Bytes, IReadOnlyList<string> Problems)
    {
        public bool Passed => Problems.Count == 0;

        public override string ToString() =>
            Passed ? $"{Entries} entries, {Bytes} bytes, identical on every node"
                : $"{Problems.Count} problems:\n{string.Join('\n', Problems.Take(50))}";
    }
}
