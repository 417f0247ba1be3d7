// Checks what an AppendLoad left behind: every stream is read in full from every node (following
// chunked catch-up reads until Stream-Up-To-Date). All nodes must return byte-identical streams, and
// the load's history (every append, read, HEAD and close its clients made) must agree with them:
// see HistoryChecker for the properties.
using System.Net;
using System.Security.Cryptography;
using Ursula.Tests.Checking;

namespace Ursula.Tests.Cluster;

public static class AppendChecker
{
    public static async Task<CheckReport> CheckAsync(AppendLoad load, IReadOnlyList<Uri> nodes, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        long bytes = 0;
        var finals = new Dictionary<string, byte[]>(StringComparer.Ordinal);
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
                    problems.Add($"{path}: node {n} ({copies[n].Length} bytes, sha256 {Hash(copies[n])}) differs from node 0 ({copies[0].Length} bytes, sha256 {Hash(copies[0])}) from byte {common}: node 0 has {Around(copies[0], common)}, node {n} has {Around(copies[n], common)}");
                }
            }

            bytes += copies[0].Length;
            finals[path] = copies[0];
        }

        var history = HistoryChecker.Check(load.History, finals);
        if (!history.Passed)
        {
            problems.Add($"history of node 0's copies: {history}");
        }

        return new CheckReport(load.History.Operations.Count(o => o is { Kind: OperationKind.Append, Result: OperationResult.Ok }), bytes, history.OperationCount, problems);
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

    private static string Around(byte[] bytes, int at)
    {
        var start = Math.Max(0, at - 16);
        var text = System.Text.Encoding.ASCII.GetString(bytes, start, Math.Min(bytes.Length - start, 48));
        return $"\"{text.Replace("\n", "\\n", StringComparison.Ordinal)}\"";
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    public sealed record CheckReport(long Entries, long Bytes, int Operations, IReadOnlyList<string> Problems)
    {
        public bool Passed => Problems.Count == 0;

        public override string ToString() =>
            Passed ? $"{Entries} acknowledged appends, {Bytes} bytes, identical on every node; history of {Operations} operations checked, no violation"
                : $"{Problems.Count} problems:\n{string.Join('\n', Problems.Take(50))}";
    }
}
