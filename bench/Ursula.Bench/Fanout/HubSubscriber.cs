using System.Buffers;
using System.Diagnostics;
using System.Text;
using HdrHistogram;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Fanout;

/// <summary>
/// One subscriber of Ursula's SignalR hub (JSON protocol over a WebSocket, negotiation skipped, as a
/// browser app connects): Subscribe(path, "now"), timestamp records parsed from each item's data,
/// the first item (up to date) marking it live. When its subscription or connection ends before
/// the stream closes it reconnects and resubscribes from the last nextOffset it received.
/// </summary>
public sealed class HubSubscriber(Uri hubUrl, string path, HistogramBase latency, Tally errors) : IFanoutSubscriber
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _offset = "now";
    private bool _closed;

    public Task Ready => _ready.Task;

    public ReceivedSet Received { get; } = new();

    public int Reconnects { get; private set; }

    public async Task RunAsync(SemaphoreSlim connectGate, CancellationToken ct)
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        var subscriptions = 0;
        try
        {
            while (!_closed)
            {
                if (subscriptions++ > 0)
                {
                    Reconnects++;
                }

                try
                {
                    if (connection.State == HubConnectionState.Disconnected)
                    {
                        await connectGate.WaitAsync(ct);
                        try
                        {
                            await connection.StartAsync(ct);
                        }
                        finally
                        {
                            connectGate.Release();
                        }
                    }

                    await foreach (var item in connection.StreamAsync<HubItem>("Subscribe", path, _offset, ct))
                    {
                        OnData(item.Data);
                        _offset = item.NextOffset;
                        _ready.TrySetResult();
                        if (item.Closed)
                        {
                            _closed = true;
                        }
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    errors.AddException(e);
                    await Task.Delay(100, ct);
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private void OnData(string data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(data.Length));
        try
        {
            var bytes = buffer.AsSpan(0, Encoding.UTF8.GetBytes(data, buffer));
            var position = 0;
            while (TimestampPayload.TryReadNext(bytes, ref position, out var sequence, out var sentAt))
            {
                if (Received.Add(sequence))
                {
                    LatencySummary.Record(latency, now - sentAt);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The hub's subscription item (docs/signalr.md).</summary>
    public sealed record HubItem(string Data, string NextOffset, bool UpToDate, bool Closed);
}
