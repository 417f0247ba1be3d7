// Where a read starts, as a client names it: -1 (the start), now (the tail), or an offset this
// server returned. Shared by the HTTP reads and the SignalR hub.
namespace Ursula.Server.Streams;

public readonly record struct ReadOffset(ReadOffsetKind Kind, long Position)
{
    public static readonly ReadOffset Start = new(ReadOffsetKind.Start, 0);
    public static readonly ReadOffset Now = new(ReadOffsetKind.Now, 0);

    public bool IsNow => Kind == ReadOffsetKind.Now;

    public static ReadOffset At(long position) => new(ReadOffsetKind.At, position);

    /// <summary>The position a read starts at, given the stream's tail.</summary>
    public long From(long tail) => IsNow ? tail : Position;

    /// <summary>Null (no offset) and -1 are the start; false for anything that is not an offset.</summary>
    public static bool TryParse(string? text, out ReadOffset offset)
    {
        offset = Start;
        if (text is null || text == "-1")
        {
            return true;
        }

        if (text == "now")
        {
            offset = Now;
            return true;
        }

        if (!StreamOffset.TryParse(text, out var parsed))
        {
            return false;
        }

        // No stream is that long: the upper half is reserved and always zero in offsets we mint.
        offset = At(parsed.High == 0 ? parsed.Position : long.MaxValue);
        return true;
    }
}

public enum ReadOffsetKind
{
    Start,
    Now,
    At,
}
