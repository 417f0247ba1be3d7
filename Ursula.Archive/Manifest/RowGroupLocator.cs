namespace Ursula.Archive.Manifest;

/// <summary>
/// One row group holding part of an entry's range: its index in the object, its bytes
/// [Offset, Offset + Length) in the object (every column chunk), and the positions [Start, End)
/// of the entry's stream it holds.
/// </summary>
public sealed record RowGroupLocator(int Index, long Offset, long Length, long Start, long End);
