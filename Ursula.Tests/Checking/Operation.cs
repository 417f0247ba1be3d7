// One client operation of a fault test as the client saw it: what it asked, when it asked
// (Invoked) and when it learned the answer (Completed), both Stopwatch timestamps, and what the
// answer was. Offsets are positions in the stream (bytes), the form the checker compares.
namespace Ursula.Tests.Checking;

public enum OperationKind
{
    Append,
    Read,
    Close,
    Head,
}

public enum OperationResult
{
    /// <summary>Answered with success: an append or close acknowledged, a read or HEAD answered.</summary>
    Ok,

    /// <summary>Refused in a way that says it did not take effect (a 4xx decided by the server).</summary>
    Failed,

    /// <summary>No decisive answer (a timeout, a 503, a broken connection): it may or may not have taken effect.</summary>
    Unknown,
}

public sealed record Operation
{
    /// <summary>A Completed of an operation whose answer never came.</summary>
    public const long Never = long.MaxValue;

    public required long Id { get; init; }

    public required OperationKind Kind { get; init; }

    public required string Stream { get; init; }

    /// <summary>Who issued it (a writer, a reader), for the report.</summary>
    public string Client { get; init; } = string.Empty;

    /// <summary>The node it was sent to, for the report.</summary>
    public string Node { get; init; } = string.Empty;

    public required long Invoked { get; init; }

    public long Completed { get; init; } = Never;

    public required OperationResult Result { get; init; }

    /// <summary>An append's record: unique within its stream, ending in a newline.</summary>
    public byte[]? Payload { get; init; }

    /// <summary>A read's starting position.</summary>
    public long? From { get; init; }

    /// <summary>A read's bytes.</summary>
    public byte[]? Data { get; init; }

    /// <summary>
    /// The position the server answered with (Stream-Next-Offset): after an acknowledged append, the
    /// end of that append; after a read, where the next read starts; after a close or HEAD, the tail.
    /// Null when the answer carried none (a duplicate append answered 204).
    /// </summary>
    public long? Offset { get; init; }

    /// <summary>How many times the client sent it (retries of one logical operation with the same producer headers).</summary>
    public int Attempts { get; init; } = 1;

    public string Describe(long origin)
    {
        var what = Kind switch
        {
            OperationKind.Append => $"append {Show(Payload)}",
            OperationKind.Read => $"read from {From} got {Data?.Length ?? 0} bytes {Show(Data, 24)}",
            OperationKind.Close => "close",
            _ => "HEAD",
        };
        var completed = Completed == Never ? "never" : Millis(Completed - origin);
        var offset = Offset is { } o ? $" offset {o}" : string.Empty;
        var attempts = Attempts > 1 ? $" after {Attempts} attempts" : string.Empty;
        return $"#{Id} {Client}@{Node} {Stream} {what}: {Result}{offset}{attempts} [{Millis(Invoked - origin)} .. {completed}]";
    }

    private static string Millis(long ticks) => $"{ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency:F1} ms";

    private static string Show(byte[]? bytes, int max = 40)
    {
        if (bytes is null)
        {
            return "-";
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, max))).Replace("\n", "\\n", StringComparison.Ordinal);
        return bytes.Length > max ? $"\"{text}...\"" : $"\"{text}\"";
    }
}
