namespace Ursula.Bench.Fanout;

/// <summary>
/// One reusable, growable buffer for a reader that parses what it receives: receives go after the
/// buffered bytes, parsed bytes are consumed from the front, and only the unfinished tail is ever
/// copied (to the front, before the next receive). Used by the SSE and the hub subscribers.
/// </summary>
public sealed class ReceiveBuffer(int initialSize)
{
    private byte[] _buffer = new byte[initialSize];
    private int _start;
    private int _end;

    /// <summary>The bytes received and not yet consumed.</summary>
    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Where the next receive goes: free space after the buffered bytes (grown when full).</summary>
    public Memory<byte> GetReceiveMemory()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Counts <paramref name="received"/> bytes written into the memory from <see cref="GetReceiveMemory"/>.</summary>
    public void Advance(int received) => _end += received;

    /// <summary>Drops <paramref name="count"/> parsed bytes from the front.</summary>
    public void Consume(int count) => _start += count;

    /// <summary>Drops everything buffered.</summary>
    public void Reset() => _start = _end = 0;
}
