// One generated protocol request, rendered for either server: offsets are held as references into
// the offsets both servers have named so far (the same position in each), or as specials.
namespace Ursula.Tests.Differential;

public enum OffsetChoice
{
    /// <summary>No offset parameter at all.</summary>
    Omitted,

    /// <summary>offset=-1, the start.</summary>
    Start,

    /// <summary>An offset both servers named, by its place in the stream.</summary>
    Known,

    /// <summary>offset=now, the tail.</summary>
    Now,

    /// <summary>An offset past the stream's tail.</summary>
    BeyondTail,

    /// <summary>Not an offset at all.</summary>
    Malformed,
}

public enum ReadMode
{
    CatchUp,
    LongPoll,
    Sse,
}

public sealed record ProtocolRequest(HttpMethod Method, string Path, string Description)
{
    public List<(string Name, string Value)> Headers { get; init; } = [];

    /// <summary>Header values that are offsets (Stream-Fork-Offset), rendered per server like the query offset.</summary>
    public List<(string Name, OffsetPair Offset)> OffsetHeaders { get; init; } = [];

    public byte[]? Body { get; init; }

    public string? ContentType { get; init; }

    public OffsetChoice Offset { get; init; } = OffsetChoice.Omitted;

    public OffsetPair? KnownOffset { get; init; }

    public ReadMode Mode { get; init; } = ReadMode.CatchUp;

    public bool IsRead => Method == HttpMethod.Get;

    public override string ToString() => Description;
}

/// <summary>One position of a stream as each server spells it.</summary>
public sealed record OffsetPair(string Reference, string Ursula);
