namespace Ursula.Server.State.Reading;

public enum TailItemKind
{
    /// <summary>Data from the reader's position; <see cref="TailItem.Slice"/> holds it.</summary>
    Data,

    /// <summary>The reader reached the tail (or the stream closed there) with no data to give.</summary>
    UpToDate,

    /// <summary>Nothing happened for the keep-alive interval; the reader is still at the tail.</summary>
    KeepAlive,

    /// <summary>The stream was deleted, or this node's state replaced; the reader ends.</summary>
    Gone,
}

/// <summary>
/// One step of a live read: data, or news about the reader's position. <see cref="Position"/> is
/// where the reader stands after this item (the offset a client resumes from), <see cref="Meta"/>
/// the stream as the reader saw it then.
/// </summary>
public readonly record struct TailItem(TailItemKind Kind, StreamMeta Meta, long Position, ReadSlice? Slice)
{
    public bool UpToDate => Position >= Meta.Tail;

    /// <summary>At the tail of a closed stream: nothing will follow this item.</summary>
    public bool Closed => UpToDate && Meta.Closed;
}
