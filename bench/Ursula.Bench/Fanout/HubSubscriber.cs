using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using HdrHistogram;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Fanout;

/// <summary>
/// One subscriber of Ursula's SignalR hub, as a browser app connects (a WebSocket, negotiation
/// skipped, the JSON protocol), speaking the hub protocol itself (<see cref="HubJsonProtocol"/>)
/// instead of through Microsoft.AspNetCore.SignalR.Client: a thousand HubConnections in one
/// process cost about as much CPU as the server they measure. Subscribe(path, "now"), timestamp
/// records parsed from each item's data, the first item (up to date) marking it live. When a
/// subscription ends before the stream closes it subscribes again from the last nextOffset it
/// received; when the connection ends it reconnects first.
/// </summary>
public sealed class HubSubscriber(HttpMessageInvoker invoker, Uri hubUrl, string path, HistogramBase latency, long firstMeasured, Tally errors) : IFanoutSubscriber
{
    /// <summary>The client's pings, well inside the server's 30 s client timeout (the server pings only an idle connection).</summary>
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HubJsonProtocol _protocol = new();
    private readonly HubRecordBuffer _received = new();
    private readonly byte[] _offset = new byte[128];
    private int _offsetLength;
    private int _invocations;
    private bool _closed;

    public Task Ready => _ready.Task;

    public ReceivedSet Received { get; } = new();

    public int Reconnects { get; private set; }

    public async Task RunAsync(SemaphoreSlim connectGate, CancellationToken ct)
    {
        var url = new UriBuilder(hubUrl) { Scheme = hubUrl.Scheme == "https" ? "wss" : "ws" }.Uri;
        try
        {
            while (!_closed)
            {
                try
                {
                    await RunConnectionAsync(url, connectGate, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    errors.AddException(e);
                }

                if (!_closed)
                {
                    await Task.Delay(100, ct);
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task RunConnectionAsync(Uri url, SemaphoreSlim connectGate, CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        _received.Reset();
        await connectGate.WaitAsync(ct);
        try
        {
            await socket.ConnectAsync(url, invoker, ct);
            await socket.SendAsync(HubJsonProtocol.Handshake.ToArray(), WebSocketMessageType.Text, true, ct);
            if (await ReceiveAsync(socket, ct) != Step.Continue)
            {
                return;
            }
        }
        finally
        {
            connectGate.Release();
        }

        using var sendLock = new SemaphoreSlim(1);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pings = PingAsync(socket, sendLock, end.Token);
        try
        {
            while (!_closed)
            {
                await SubscribeAsync(socket, sendLock, ct);
                Step step;
                do
                {
                    step = await ReceiveAsync(socket, ct);
                }
                while (step == Step.Continue);

                if (step == Step.Disconnected)
                {
                    return;
                }

                if (step == Step.Failed)
                {
                    await Task.Delay(100, ct);
                }
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
        finally
        {
            await end.CancelAsync();
            await pings;
        }
    }

    private async Task SubscribeAsync(ClientWebSocket socket, SemaphoreSlim sendLock, CancellationToken ct)
    {
        if (_invocations++ > 0)
        {
            Reconnects++;
        }

        var offset = _offsetLength == 0 ? "now" : Encoding.UTF8.GetString(_offset, 0, _offsetLength);
        var record = new ArrayBufferWriter<byte>(256);
        HubJsonProtocol.WriteStreamInvocation(record, _invocations.ToString(System.Globalization.CultureInfo.InvariantCulture), "Subscribe", path, offset);
        await sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(record.WrittenMemory, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private static async Task PingAsync(ClientWebSocket socket, SemaphoreSlim sendLock, CancellationToken ct)
    {
        var ping = HubJsonProtocol.Ping.ToArray();
        try
        {
            while (true)
            {
                await Task.Delay(PingInterval, ct);
                await sendLock.WaitAsync(ct);
                try
                {
                    await socket.SendAsync(ping, WebSocketMessageType.Text, true, ct);
                }
                finally
                {
                    sendLock.Release();
                }
            }
        }
        catch (Exception)
        {
            // The connection ended (or is ending); its receive loop reports why.
        }
    }

    /// <summary>One receive and the records it completed.</summary>
    private async ValueTask<Step> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var result = await socket.ReceiveAsync(_received.GetReceiveMemory(), ct);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            errors.Add("hub-connection-closed");
            return Step.Disconnected;
        }

        _received.Advance(result.Count);
        return ProcessRecords();
    }

    private Step ProcessRecords()
    {
        while (_received.TryRead(out var bytes))
        {
            var record = _protocol.Parse(bytes);
            switch (record.Kind)
            {
                case HubMessageKind.StreamItem:
                    OnItem(record);
                    break;
                case HubMessageKind.Handshake when record.HasError:
                    errors.Add("hub-handshake: " + Encoding.UTF8.GetString(record.Error));
                    return Step.Disconnected;
                case HubMessageKind.Completion when record.HasError:
                    errors.Add("hub-completion: " + Encoding.UTF8.GetString(record.Error));
                    return Step.Failed;
                case HubMessageKind.Completion:
                    return Step.Completed;
                case HubMessageKind.Close:
                    errors.Add(record.HasError ? "hub-close: " + Encoding.UTF8.GetString(record.Error) : "hub-close");
                    return Step.Disconnected;
            }
        }

        return Step.Continue;
    }

    private void OnItem(HubRecord item)
    {
        if (!item.Data.IsEmpty)
        {
            var now = Stopwatch.GetTimestamp();
            var position = 0;
            while (TimestampPayload.TryReadNext(item.Data, ref position, out var sequence, out var sentAt))
            {
                if (Received.Add(sequence) && sequence >= firstMeasured)
                {
                    LatencySummary.Record(latency, now - sentAt);
                }
            }
        }

        _offsetLength = Math.Min(item.NextOffset.Length, _offset.Length);
        item.NextOffset[.._offsetLength].CopyTo(_offset);
        _closed |= item.Closed;
        _ready.TrySetResult();
    }

    /// <summary>What a receive ended in.</summary>
    private enum Step
    {
        /// <summary>The subscription goes on (or the handshake was answered).</summary>
        Continue,

        /// <summary>The subscription completed without error: the stream closed, or subscribe again.</summary>
        Completed,

        /// <summary>The subscription failed with a hub error: subscribe again after a pause.</summary>
        Failed,

        /// <summary>The connection is over: reconnect.</summary>
        Disconnected,
    }
}
