namespace Ursula.Server.State.Reading;

/// <summary>
/// Data read from one position: the parts in order (raw bytes, or for JSON streams comma-joined
/// message groups) and the position reached.
/// </summary>
public sealed record ReadSlice(IReadOnlyList<ReadOnlyMemory<byte>> Parts, long From, long Next, long TotalBytes)
{
    public bool IsEmpty => Next == From;
}
