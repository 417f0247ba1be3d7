using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Ursula.Bench.Fanout;

/// <summary>
/// A lean Server-Sent Events parser over a response stream. Lines are scanned in place in one
/// reusable receive buffer; only "data:" values are copied (into one reusable event buffer), so
/// the steady state allocates nothing per line or per event. Handles LF and CRLF line endings,
/// comments, multi-line data (joined with '\n'), and one optional space after the colon.
/// Lone-CR line endings (legal in SSE, unused by Durable Streams servers) are not supported.
/// </summary>
public sealed class SseEventReader(Stream stream, int bufferSize = 16 * 1024)
{
    private readonly ReceiveBuffer _received = new(bufferSize);
    private byte[] _data = new byte[1024];
    private int _dataLength;
    private bool _hasData;

    public SseEventType EventType { get; private set; }

    /// <summary>The data of the current event; valid until the next ReadEventAsync call.</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _dataLength);

    /// <summary>Reads the next dispatched event; false at end of stream (a partial event is dropped).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadEventAsync(CancellationToken ct)
    {
        ResetEvent();
        while (true)
        {
            if (TryParseBufferedEvent())
            {
                return true;
            }

            var read = await stream.ReadAsync(_received.GetReceiveMemory(), ct);
            if (read == 0)
            {
                return false;
            }

            _received.Advance(read);
        }
    }

    /// <summary>Decodes base64 data in place (after dropping the '\n' between data lines).</summary>
    public void DecodeBase64Data()
    {
        var span = _data.AsSpan(0, _dataLength);
        var kept = 0;
        foreach (var b in span)
        {
            if (b is not ((byte)'\n' or (byte)'\r'))
            {
                span[kept++] = b;
            }
        }

        var status = Base64.DecodeFromUtf8InPlace(span[..kept], out var written);
        _dataLength = status == System.Buffers.OperationStatus.Done ? written : 0;
    }

    private void ResetEvent()
    {
        EventType = SseEventType.Other;
        _dataLength = 0;
        _hasData = false;
    }

    private bool TryParseBufferedEvent()
    {
        while (true)
        {
            var pending = _received.Pending;
            var newline = pending.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return false;
            }

            var line = pending[..newline];
            _received.Consume(newline + 1);
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (!line.IsEmpty)
            {
                ProcessField(line);
            }
            else if (_hasData)
            {
                return true;
            }
            else
            {
                ResetEvent();
            }
        }
    }

    private void ProcessField(ReadOnlySpan<byte> line)
    {
        if (line[0] == (byte)':')
        {
            return;
        }

        var colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (name.SequenceEqual("data"u8))
        {
            AppendData(value);
        }
        else if (name.SequenceEqual("event"u8))
        {
            EventType = value.SequenceEqual("data"u8) ? SseEventType.Data
                : value.SequenceEqual("control"u8) ? SseEventType.Control
                : SseEventType.Other;
        }
    }

    private void AppendData(ReadOnlySpan<byte> value)
    {
        var needed = _dataLength + value.Length + 1;
        if (needed > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(needed, _data.Length * 2));
        }

        if (_hasData)
        {
            _data[_dataLength++] = (byte)'\n';
        }

        value.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += value.Length;
        _hasData = true;
    }
}
