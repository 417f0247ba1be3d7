using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HdrHistogram;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Fanout;

/// <summary>
/// One SSE subscriber: GET {stream}?offset=now&amp;live=sse, parses data events for timestamp records
/// (recording publish-to-receive latency for each first receipt), tracks streamNextOffset from
/// control events, and reconnects from that offset if the server ends the response (servers close
/// SSE connections periodically) unless the stream was closed.
/// </summary>
public sealed class SseSubscriber(HttpClient client, string streamUrl, HistogramBase latency, long firstMeasured, Tally errors) : IFanoutSubscriber
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _offset = new byte[256];
    private int _offsetLength;
    private bool _closed;

    /// <summary>Completes when the first control event arrived (the subscription is live).</summary>
    public Task Ready => _ready.Task;

    public ReceivedSet Received { get; } = new();

    public int Reconnects { get; private set; }

    public long ControlEvents { get; private set; }

    public async Task RunAsync(SemaphoreSlim connectGate, CancellationToken ct)
    {
        try
        {
            var connections = 0;
            while (!_closed)
            {
                if (connections++ > 0)
                {
                    Reconnects++;
                }

                try
                {
                    await ReadConnectionAsync(connectGate, ct);
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
            // Shutdown: cancellation may surface as OperationCanceledException or IOException.
        }
    }

    private async Task ReadConnectionAsync(SemaphoreSlim connectGate, CancellationToken ct)
    {
        var offset = _offsetLength == 0 ? "now" : Encoding.UTF8.GetString(_offset, 0, _offsetLength);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{streamUrl}?offset={Uri.EscapeDataString(offset)}&live=sse");
        request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
        HttpResponseMessage response;
        await connectGate.WaitAsync(ct);
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        finally
        {
            connectGate.Release();
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                errors.AddStatus((int)response.StatusCode);
                await Task.Delay(100, ct);
                return;
            }

            var base64 = string.Equals(
                StreamApi.Header(response, StreamApi.SseEncodingHeader), "base64", StringComparison.OrdinalIgnoreCase);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var reader = new SseEventReader(body);
            while (!_closed && await reader.ReadEventAsync(ct))
            {
                if (reader.EventType == SseEventType.Data)
                {
                    if (base64)
                    {
                        reader.DecodeBase64Data();
                    }

                    OnData(reader.Data);
                }
                else if (reader.EventType == SseEventType.Control)
                {
                    OnControl(reader.Data);
                }
            }
        }
    }

    private void OnData(ReadOnlySpan<byte> data)
    {
        var now = Stopwatch.GetTimestamp();
        var position = 0;
        while (TimestampPayload.TryReadNext(data, ref position, out var sequence, out var sentAt))
        {
            if (Received.Add(sequence) && sequence >= firstMeasured)
            {
                LatencySummary.Record(latency, now - sentAt);
            }
        }
    }

    private void OnControl(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("streamNextOffset"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    var copied = reader.ValueIsEscaped
                        ? Encoding.UTF8.GetBytes(reader.GetString() ?? "", _offset)
                        : CopyOffset(reader.ValueSpan);
                    _offsetLength = copied;
                }
                else if (reader.ValueTextEquals("streamClosed"u8) && reader.Read() && reader.TokenType == JsonTokenType.True)
                {
                    _closed = true;
                }
            }
        }
        catch (JsonException)
        {
            errors.Add("bad-control-json");
            return;
        }

        ControlEvents++;
        _ready.TrySetResult();
    }

    private int CopyOffset(ReadOnlySpan<byte> value)
    {
        value[..Math.Min(value.Length, _offset.Length)].CopyTo(_offset);
        return Math.Min(value.Length, _offset.Length);
    }
}
