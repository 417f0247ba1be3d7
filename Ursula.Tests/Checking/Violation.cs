// What the history checker found wrong, with the smallest set of operations that shows it.
using System.Text;

namespace Ursula.Tests.Checking;

public enum ViolationKind
{
    /// <summary>An acknowledged append is not in the stream.</summary>
    Lost,

    /// <summary>An append (acknowledged or not) is in the stream more than once.</summary>
    Duplicated,

    /// <summary>An append the server refused is in the stream.</summary>
    RefusedButApplied,

    /// <summary>The stream holds bytes no client appended.</summary>
    UnknownData,

    /// <summary>The stream ends in the middle of a record.</summary>
    TornRecord,

    /// <summary>An acknowledged append's offset is not where its record ends in the stream.</summary>
    WrongOffset,

    /// <summary>An append that was invoked after another one completed comes before it in the stream.</summary>
    RealTimeOrder,

    /// <summary>A read returned bytes (or a next offset) that are not the stream's from its offset.</summary>
    ReadMismatch,

    /// <summary>A read returned a record whose append had not been invoked when the read completed.</summary>
    ReadFromFuture,

    /// <summary>The stream holds records past the tail an acknowledged close named, or fewer.</summary>
    CloseTail,

    /// <summary>A HEAD named a tail that is not the end of a prefix of the stream.</summary>
    HeadNotPrefix,
}

public sealed record Violation(ViolationKind Kind, string Stream, string Message, IReadOnlyList<Operation> Operations)
{
    public string Describe(long origin)
    {
        var text = new StringBuilder($"{Kind} on {Stream}: {Message}");
        foreach (var operation in Operations)
        {
            text.Append("\n    ").Append(operation.Describe(origin));
        }

        return text.ToString();
    }
}

public sealed record HistoryReport(int OperationCount, IReadOnlyList<Violation> Violations, long Origin)
{
    public bool Passed => Violations.Count == 0;

    public bool Has(ViolationKind kind) => Violations.Any(v => v.Kind == kind);

    public override string ToString() =>
        Passed
            ? $"{OperationCount} operations, no violation"
            : $"{OperationCount} operations, {Violations.Count} violations:\n{string.Join('\n', Violations.Take(30).Select(v => v.Describe(Origin)))}";
}
