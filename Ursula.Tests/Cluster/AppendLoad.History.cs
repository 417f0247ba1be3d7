// The load's part of the history: each logical append (first send to acknowledgement, however many
// attempts), a reader that reads random streams from random nodes at offsets the writers were
// given, a HEAD prober, and the close of every stream once the writers have drained.
using System.Diagnostics;
using System.Net;
using Ursula.Server.Streams;
using Ursula.Tests.Checking;

namespace Ursula.Tests.Cluster;

public sealed partial class AppendLoad
{
    private static readonly TimeSpan ObserveEvery = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<string, List<long>> acknowledgedOffsets = [];

    /// <summary>Set when the streams were closed after the drain (the checker then holds each to its close tail).</summary>
    public bool Closed { get; private set; }

    private void RecordAppend(int writer, byte[] body, long invoked, int attempts, OperationResult result, int node, long? offset)
    {
        if (attempts == 0)
        {
            return;
        }

        var stream = StreamOf(writer);
        History.Add(new Operation
        {
            Id = History.NextId(),
            Kind = OperationKind.Append,
            Stream = stream,
            Client = ProducerId(writer),
            Node = node < 0 ? "-" : node.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Invoked = invoked,
            Completed = result == OperationResult.Unknown ? Operation.Never : History.Now,
            Result = result,
            Payload = body,
            Offset = offset,
            Attempts = attempts,
        });
        if (offset is { } acknowledged)
        {
            lock (acknowledgedOffsets)
            {
                if (!acknowledgedOffsets.TryGetValue(stream, out var offsets))
                {
                    acknowledgedOffsets[stream] = offsets = [];
                }

                offsets.Add(acknowledged);
            }
        }
    }

    private static long? NextOffset(HttpResponseMessage response) => HttpOutcome.NextOffset(response);

    /// <summary>Reads and HEADs at a random stream, node and acknowledged offset every 100 ms while the writers run.</summary>
    private async Task ObserveAsync()
    {
        var random = new Random(StreamPaths.Count * 7919 + Writers);
        for (var n = 0; !stopping && !abort.IsCancellationRequested; n++)
        {
            var stream = StreamPaths[random.Next(StreamPaths.Count)];
            var node = random.Next(nodes.Count);
            if (n % 4 == 3)
            {
                await HeadAsync(stream, node);
            }
            else
            {
                await ReadAsync(stream, node, PickOffset(stream, random));
            }

            try
            {
                await Task.Delay(ObserveEvery, abort.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private long PickOffset(string stream, Random random)
    {
        lock (acknowledgedOffsets)
        {
            return acknowledgedOffsets.TryGetValue(stream, out var offsets) && offsets.Count > 0 && random.Next(3) > 0
                ? offsets[Math.Max(0, offsets.Count - 1 - random.Next(Math.Min(offsets.Count, 50)))]
                : 0;
        }
    }

    private async Task ReadAsync(string stream, int node, long from)
    {
        var invoked = History.Now;
        var offset = from == 0 ? "-1" : StreamOffset.Format(from);
        var (result, data, next) = await SendObservationAsync(HttpMethod.Get, new Uri(nodes[node], $"{stream}?offset={offset}"), node);
        History.Add(new Operation
        {
            Id = History.NextId(), Kind = OperationKind.Read, Stream = stream, Client = "reader", Node = node.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Invoked = invoked, Completed = History.Now, Result = result, From = from, Data = data, Offset = next,
        });
    }

    private async Task HeadAsync(string stream, int node)
    {
        var invoked = History.Now;
        var (result, _, next) = await SendObservationAsync(HttpMethod.Head, new Uri(nodes[node], stream), node);
        History.Add(new Operation
        {
            Id = History.NextId(), Kind = OperationKind.Head, Stream = stream, Client = "head", Node = node.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Invoked = invoked, Completed = History.Now, Result = result, Offset = next,
        });
    }

    private async Task<(OperationResult Result, byte[]? Data, long? Next)> SendObservationAsync(HttpMethod method, Uri uri, int node)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
            timeout.CancelAfter(RequestTimeout);
            using var request = new HttpRequestMessage(method, uri);
            using var response = await clients[node].SendAsync(request, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (OperationResult.Unknown, null, null);
            }

            var data = method == HttpMethod.Get ? await response.Content.ReadAsByteArrayAsync(timeout.Token) : null;
            return (OperationResult.Ok, data, NextOffset(response));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return (OperationResult.Unknown, null, null);
        }
    }

    /// <summary>Closes every stream (an empty POST with Stream-Closed: true, which may be repeated) through any node that answers.</summary>
    private async Task CloseStreamsAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var stream in StreamPaths)
        {
            var invoked = History.Now;
            for (var attempt = 0; ; attempt++)
            {
                var node = PickNode(attempt);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(nodes[node], stream)) { Content = new ByteArrayContent([]) };
                    request.Headers.Add("Stream-Closed", "true");
                    using var limit = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
                    limit.CancelAfter(RequestTimeout);
                    using var response = await clients[node].SendAsync(request, limit.Token);
                    if (response.StatusCode == HttpStatusCode.NoContent)
                    {
                        History.Add(new Operation
                        {
                            Id = History.NextId(), Kind = OperationKind.Close, Stream = stream, Client = "closer", Node = node.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            Invoked = invoked, Completed = History.Now, Result = OperationResult.Ok, Offset = NextOffset(response), Attempts = attempt + 1,
                        });
                        break;
                    }

                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        Anomaly($"closing {stream} via node {node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !abort.IsCancellationRequested)
                {
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"Could not close {stream} within {timeout}.");
                }

                await Task.Delay(50, abort.Token);
            }
        }

        Closed = true;
    }
}
