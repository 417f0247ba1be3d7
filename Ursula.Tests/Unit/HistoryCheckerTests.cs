// The history checker on hand-made histories: a correct one passes, and each kind of violation is
// caught and reported with the operations that show it.
using System.Text;
using Ursula.Tests.Checking;

namespace Ursula.Tests.Unit;

public sealed class HistoryCheckerTests
{
    private const string S = "/s";
    private readonly List<Operation> ops = [];

    [Fact]
    public void A_correct_history_with_concurrent_unknown_and_refused_appends_passes()
    {
        Append("a", 0, 10, end: 2);
        Append("b", 5, 20, end: 4);          // concurrent with a
        Append("c", 12, 30, OperationResult.Unknown);   // took effect
        Append("d", 12, 30, OperationResult.Unknown);   // did not
        Append("e", 31, 40, OperationResult.Failed);
        Read(from: 2, "b\nc\n", next: 6, invoked: 35, completed: 36);
        Head(tail: 4, invoked: 21);
        Close(tail: 6, invoked: 41);

        var report = Check("a\nb\nc\n");

        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void A_lost_acknowledged_append_is_reported()
    {
        Append("a", 0, 10, end: 2);
        Append("b", 11, 20, end: 4);

        var report = Check("a\n");

        var violation = Assert.Single(report.Violations);
        Assert.Equal(ViolationKind.Lost, violation.Kind);
        Assert.Equal("b\n", Encoding.ASCII.GetString(Assert.Single(violation.Operations).Payload!));
    }

    [Theory]
    [InlineData(OperationResult.Ok)]
    [InlineData(OperationResult.Unknown)]
    public void An_append_in_the_stream_twice_is_reported_whether_acknowledged_or_timed_out(OperationResult result)
    {
        Append("a", 0, 10, result, end: result == OperationResult.Ok ? 2 : null);

        var report = Check("a\na\n");

        Assert.Equal(ViolationKind.Duplicated, Assert.Single(report.Violations).Kind);
    }

    [Fact]
    public void A_refused_append_that_took_effect_is_reported()
    {
        Append("a", 0, 10, OperationResult.Failed);

        Assert.Equal(ViolationKind.RefusedButApplied, Assert.Single(Check("a\n").Violations).Kind);
    }

    [Fact]
    public void Data_no_client_appended_and_a_torn_record_are_reported()
    {
        Append("a", 0, 10, end: 2);

        var report = Check("a\nzz\nhalf");

        Assert.True(report.Has(ViolationKind.UnknownData), report.ToString());
        Assert.True(report.Has(ViolationKind.TornRecord), report.ToString());
    }

    [Fact]
    public void An_acknowledged_offset_that_is_not_where_the_record_ends_is_reported()
    {
        Append("a", 0, 10, end: 2);
        Append("b", 11, 20, end: 2);

        var violation = Assert.Single(Check("a\nb\n").Violations);

        Assert.Equal(ViolationKind.WrongOffset, violation.Kind);
        Assert.Contains("ends at 4", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appends_in_an_order_real_time_forbids_are_reported_as_the_pair_that_shows_it()
    {
        Append("a", 0, 10);
        Append("b", 11, 20);   // invoked after a completed, yet first in the stream
        Append("c", 21, 30);

        var violation = Assert.Single(Check("b\na\nc\n").Violations);

        Assert.Equal(ViolationKind.RealTimeOrder, violation.Kind);
        Assert.Equal(["b\n", "a\n"], violation.Operations.Select(o => Encoding.ASCII.GetString(o.Payload!)));
    }

    [Fact]
    public void An_append_that_timed_out_may_take_effect_after_later_appends()
    {
        Append("a", 0, 10, OperationResult.Unknown);
        Append("b", 11, 20);

        Assert.True(Check("b\na\n").Passed);
    }

    [Fact]
    public void A_read_whose_bytes_or_next_offset_are_not_the_streams_is_reported()
    {
        Append("a", 0, 10, end: 2);
        Append("b", 11, 20, end: 4);
        Read(from: 2, "x\n", next: 4, invoked: 21, completed: 22);
        Read(from: 0, "a\n", next: 3, invoked: 21, completed: 22);
        Read(from: 4, "c\n", next: 6, invoked: 21, completed: 22);

        var report = Check("a\nb\n");

        Assert.Equal(3, report.Violations.Count(v => v.Kind == ViolationKind.ReadMismatch));
    }

    [Fact]
    public void A_read_that_returned_a_record_before_it_was_appended_is_reported()
    {
        Read(from: 0, "a\n", next: 2, invoked: 0, completed: 5);
        Append("a", 10, 20, end: 2);

        Assert.Equal(ViolationKind.ReadFromFuture, Assert.Single(Check("a\n").Violations).Kind);
    }

    [Fact]
    public void Records_past_an_acknowledged_close_are_reported()
    {
        Append("a", 0, 10, end: 2);
        Close(tail: 2, invoked: 11);
        Append("b", 30, 40, OperationResult.Unknown);

        var violation = Assert.Single(Check("a\nb\n").Violations);

        Assert.Equal(ViolationKind.CloseTail, violation.Kind);
        Assert.Equal(2, violation.Operations.Count);
    }

    [Fact]
    public void A_HEAD_tail_inside_a_record_or_past_the_end_is_reported()
    {
        Append("ab", 0, 10, end: 3);
        Head(tail: 1, invoked: 11);
        Head(tail: 9, invoked: 11);

        Assert.Equal(2, Check("ab\n").Violations.Count(v => v.Kind == ViolationKind.HeadNotPrefix));
    }

    [Fact]
    public void Two_appends_of_the_same_record_are_a_test_error()
    {
        Append("a", 0, 10);
        Append("a", 11, 20);

        Assert.Throws<ArgumentException>(() => Check("a\n"));
    }

    private HistoryReport Check(string final) =>
        HistoryChecker.Check(ops, new Dictionary<string, byte[]> { [S] = Encoding.ASCII.GetBytes(final) });

    private void Append(string record, long invoked, long completed, OperationResult result = OperationResult.Ok, long? end = null) =>
        ops.Add(new Operation
        {
            Id = ops.Count + 1, Kind = OperationKind.Append, Stream = S, Invoked = invoked, Completed = completed,
            Result = result, Payload = Encoding.ASCII.GetBytes(record + "\n"), Offset = end,
        });

    private void Read(long from, string data, long next, long invoked, long completed) =>
        ops.Add(new Operation
        {
            Id = ops.Count + 1, Kind = OperationKind.Read, Stream = S, Invoked = invoked, Completed = completed,
            Result = OperationResult.Ok, From = from, Data = Encoding.ASCII.GetBytes(data), Offset = next,
        });

    private void Head(long tail, long invoked) =>
        ops.Add(new Operation { Id = ops.Count + 1, Kind = OperationKind.Head, Stream = S, Invoked = invoked, Completed = invoked + 1, Result = OperationResult.Ok, Offset = tail });

    private void Close(long tail, long invoked) =>
        ops.Add(new Operation { Id = ops.Count + 1, Kind = OperationKind.Close, Stream = S, Invoked = invoked, Completed = invoked + 1, Result = OperationResult.Ok, Offset = tail });
}
