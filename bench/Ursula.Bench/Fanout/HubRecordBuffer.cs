namespace Ursula.Bench.Fanout;

/// <summary>
/// Cuts received bytes into SignalR records (each ended by 0x1E) in one reusable buffer, whatever
/// the WebSocket messages carried: one record, several, or a record split over receives. The
/// steady state copies only the unfinished tail of a receive to the front and allocates nothing.
/// </summary>
public sealed class HubRecordBuffer(int initialSize = 16 * 1024)
{
    private readonly ReceiveBuffer _received = new(initialSize);

    /// <summary>Where the next receive goes: free space after the buffered bytes (grown when full).</summary>
    public Memory<byte> GetReceiveMemory() => _received.GetReceiveMemory();

    /// <summary>Counts <paramref name="received"/> bytes written into the memory from <see cref="GetReceiveMemory"/>.</summary>
    public void Advance(int received) => _received.Advance(received);

    /// <summary>The next complete record, without its separator; valid until the next GetReceiveMemory.</summary>
    public bool TryRead(out ReadOnlySpan<byte> record)
    {
        var pending = _received.Pending;
        var separator = pending.IndexOf(HubJsonProtocol.RecordSeparator);
        if (separator < 0)
        {
            record = default;
            return false;
        }

        record = pending[..separator];
        _received.Consume(separator + 1);
        return true;
    }

    /// <summary>Drops everything buffered (a new connection starts clean).</summary>
    public void Reset() => _received.Reset();
}
