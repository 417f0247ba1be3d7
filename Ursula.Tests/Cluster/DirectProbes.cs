// Appends sent straight to one node (a frozen or isolated leader), each once, with producer headers
// of their own, recorded in a History with their answers and the time they came, so a test can
// require that none was acknowledged while the node could not reach a majority, and the checker
// that what was acknowledged is in the stream once and what was not is there at most once.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ursula.Tests.Checking;

namespace Ursula.Tests.Cluster;

public sealed class DirectProbes(string stream, int count)
{
    public string Stream { get; } = stream;

    public History History { get; } = new();

    /// <summary>Creates the (text/plain) stream through <paramref name="node"/>, retrying while it answers 503.</summary>
    public async Task CreateStreamAsync(Uri node, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(20) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var content = new ByteArrayContent([]);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var response = await client.PutAsync(Stream, content, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && deadline.Elapsed < TimeSpan.FromSeconds(20),
                $"Creating {Stream} answered {(int)response.StatusCode}");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Sends every probe to <paramref name="node"/> at once; completes when all are answered or have timed out.</summary>
    public Task<Operation[]> SendAsync(Uri node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = new HttpClient { BaseAddress = node, Timeout = timeout };
        var sending = Enumerable.Range(0, count).Select(p => ProbeAsync(client, p, node, cancellationToken)).ToArray();
        return Task.WhenAll(sending).ContinueWith(
            t =>
            {
                client.Dispose();
                return t.Result;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Reads the probe stream from every node (all must agree) and checks the probes' history against it.</summary>
    public async Task<string> CheckAsync(IReadOnlyList<Uri> nodes, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var copies = new List<byte[]>();
        foreach (var node in nodes)
        {
            copies.Add(await AppendChecker.ReadAllAsync(client, new Uri(node, Stream), cancellationToken));
        }

        Assert.All(copies, c => Assert.Equal(copies[0], c));
        var report = HistoryChecker.Check(History, new Dictionary<string, byte[]> { [Stream] = copies[0] });
        Assert.True(report.Passed, report.ToString());
        return $"{Stream}: {Encoding.ASCII.GetString(copies[0]).Count(c => c == '\n')} probes stored; {report}";
    }

    private Task<Operation> ProbeAsync(HttpClient client, int probe, Uri node, CancellationToken cancellationToken) =>
        HttpOutcome.AppendAsync(
            client,
            new Uri(node, Stream),
            Encoding.ASCII.GetBytes($"probe{probe}\n"),
            [("Producer-Id", $"probe{probe}"), ("Producer-Epoch", "0"), ("Producer-Seq", "0")],
            History,
            $"probe{probe}",
            node.Authority,
            cancellationToken);
}
