// Checks a history of client operations against what every stream finally holds (read back from
// storage once the faults are over). The final stream is the candidate total order of its appends:
// - every acknowledged append is in it exactly once, an append without a decisive answer at most
//   once, a refused one not at all, and nothing else is in it;
// - every acknowledged append's offset is where its record ends;
// - the order agrees with real time: an append invoked after another completed comes after it;
// - every read returned exactly the stream's bytes from its offset, up to the next offset it was
//   given, and nothing appended after the read completed;
// - an acknowledged close named the final tail; a HEAD named the end of a prefix.
// Records are newline-terminated and unique per stream, which the load generators guarantee.
// Each violation carries the few operations that show it (the minimal violating sub-history).
namespace Ursula.Tests.Checking;

public static class HistoryChecker
{
    private const int MaxPerKindAndStream = 10;

    public static HistoryReport Check(History history, IReadOnlyDictionary<string, byte[]> finalContents) =>
        Check(history.Operations, finalContents, history.Origin);

    public static HistoryReport Check(IReadOnlyList<Operation> operations, IReadOnlyDictionary<string, byte[]> finalContents, long origin = 0)
    {
        var violations = new List<Violation>();
        foreach (var stream in operations.GroupBy(o => o.Stream, StringComparer.Ordinal))
        {
            var final = finalContents.TryGetValue(stream.Key, out var content) ? content : [];
            new StreamCheck(stream.Key, [.. stream], final, violations).Run();
        }

        return new HistoryReport(operations.Count, violations, origin);
    }

    private sealed class StreamCheck(string stream, List<Operation> operations, byte[] final, List<Violation> violations)
    {
        private readonly List<(long Start, long End, string Key)> records = [];
        private readonly Dictionary<string, Operation> appends = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<int>> occurrences = new(StringComparer.Ordinal);
        private readonly Dictionary<ViolationKind, int> reported = [];

        public void Run()
        {
            Split();
            IndexAppends();
            CheckEffects();
            CheckRealTimeOrder();
            foreach (var operation in operations.Where(o => o.Result == OperationResult.Ok))
            {
                switch (operation.Kind)
                {
                    case OperationKind.Read:
                        CheckRead(operation);
                        break;
                    case OperationKind.Close:
                        CheckClose(operation);
                        break;
                    case OperationKind.Head:
                        CheckHead(operation);
                        break;
                }
            }
        }

        private void Split()
        {
            var start = 0;
            for (var i = 0; i < final.Length; i++)
            {
                if (final[i] == (byte)'\n')
                {
                    records.Add((start, i + 1, Key(final.AsSpan(start, i + 1 - start))));
                    start = i + 1;
                }
            }

            if (start < final.Length)
            {
                Report(ViolationKind.TornRecord, $"the stream ends with {final.Length - start} bytes of an unterminated record at position {start}", []);
            }
        }

        private void IndexAppends()
        {
            foreach (var append in operations.Where(o => o.Kind == OperationKind.Append))
            {
                var key = Key(append.Payload ?? throw new ArgumentException($"Append #{append.Id} has no payload."));
                if (!appends.TryAdd(key, append))
                {
                    throw new ArgumentException($"Appends #{appends[key].Id} and #{append.Id} to {stream} have the same record; the checker needs unique records.");
                }
            }

            for (var i = 0; i < records.Count; i++)
            {
                if (!occurrences.TryGetValue(records[i].Key, out var at))
                {
                    occurrences[records[i].Key] = at = [];
                }

                at.Add(i);
                if (!appends.ContainsKey(records[i].Key))
                {
                    Report(ViolationKind.UnknownData, $"no client appended the record at position {records[i].Start}: \"{Printable(records[i].Key)}\"", []);
                }
            }
        }

        private void CheckEffects()
        {
            foreach (var (key, append) in appends)
            {
                var count = occurrences.TryGetValue(key, out var at) ? at.Count : 0;
                switch (append.Result)
                {
                    case OperationResult.Ok when count == 0:
                        Report(ViolationKind.Lost, "acknowledged, but not in the stream", [append]);
                        break;
                    case OperationResult.Failed when count > 0:
                        Report(ViolationKind.RefusedButApplied, $"refused, but in the stream at position {records[at![0]].Start}", [append]);
                        break;
                    case not OperationResult.Failed when count > 1:
                        Report(ViolationKind.Duplicated, $"in the stream {count} times, at positions {string.Join(", ", at!.Select(i => records[i].Start))}", [append]);
                        break;
                }

                if (append is { Result: OperationResult.Ok, Offset: { } offset } && count == 1 && records[at![0]].End != offset)
                {
                    Report(ViolationKind.WrongOffset, $"acknowledged with offset {offset}, but its record ends at {records[at[0]].End}", [append]);
                }
            }
        }

        /// <summary>
        /// In stream order, an operation that completed before an earlier-placed one was invoked
        /// breaks real time; the earlier one is reported once, with the first such successor.
        /// </summary>
        private void CheckRealTimeOrder()
        {
            Operation? latestInvoked = null;
            var blamed = new HashSet<long>();
            foreach (var (_, _, key) in records)
            {
                if (!appends.TryGetValue(key, out var append) || append.Result == OperationResult.Failed)
                {
                    continue;
                }

                // An append without a decisive answer may take effect later than any answer it got.
                var completed = append.Result == OperationResult.Ok ? append.Completed : Operation.Never;
                if (latestInvoked is not null && latestInvoked.Invoked > completed && blamed.Add(latestInvoked.Id))
                {
                    Report(ViolationKind.RealTimeOrder, "the second completed before the first was invoked, yet the first comes first in the stream", [latestInvoked, append]);
                }

                if (latestInvoked is null || append.Invoked > latestInvoked.Invoked)
                {
                    latestInvoked = append;
                }
            }
        }

        private void CheckRead(Operation read)
        {
            var from = read.From ?? 0;
            var data = read.Data ?? [];
            if (from > final.Length || from + data.Length > final.Length)
            {
                Report(ViolationKind.ReadMismatch, $"returned {data.Length} bytes from {from}, but the stream holds {final.Length}", [read, .. AppendsAround(final.Length)]);
                return;
            }

            var common = data.AsSpan().CommonPrefixLength(final.AsSpan((int)from, data.Length));
            if (common < data.Length)
            {
                Report(ViolationKind.ReadMismatch, $"byte {from + common} differs from the stream's", [read, .. AppendsAround(from + common)]);
                return;
            }

            if (read.Offset is { } next && next != from + data.Length)
            {
                Report(ViolationKind.ReadMismatch, $"returned {data.Length} bytes from {from} with next offset {next}, not {from + data.Length}", [read]);
                return;
            }

            foreach (var (start, end, key) in records)
            {
                if (end > from && start < from + data.Length && appends.TryGetValue(key, out var append) && append.Invoked > read.Completed)
                {
                    Report(ViolationKind.ReadFromFuture, $"returned the record at {start} before it was appended", [read, append]);
                    return;
                }
            }
        }

        private void CheckClose(Operation close)
        {
            if (close.Offset is not { } tail || tail == final.Length)
            {
                return;
            }

            var past = records.Where(r => r.Start >= tail).Select(r => appends.GetValueOrDefault(r.Key)).OfType<Operation>().Take(3);
            Report(ViolationKind.CloseTail, $"closed at {tail}, but the stream holds {final.Length} bytes", [close, .. past]);
        }

        private void CheckHead(Operation head)
        {
            if (head.Offset is { } tail && tail != 0 && !records.Any(r => r.End == tail))
            {
                Report(ViolationKind.HeadNotPrefix, $"named tail {tail}, which is not the end of a record of the {final.Length}-byte stream", [head, .. AppendsAround(tail)]);
            }
        }

        /// <summary>The appends of the records just before and at a position.</summary>
        private IEnumerable<Operation> AppendsAround(long position)
        {
            var at = records.FindIndex(r => r.End > position);
            if (at < 0)
            {
                at = records.Count;
            }

            return records.Skip(Math.Max(0, at - 1)).Take(2).Select(r => appends.GetValueOrDefault(r.Key)).OfType<Operation>();
        }

        private void Report(ViolationKind kind, string message, IReadOnlyList<Operation> involved)
        {
            reported[kind] = reported.GetValueOrDefault(kind) + 1;
            if (reported[kind] <= MaxPerKindAndStream)
            {
                violations.Add(new Violation(kind, stream, message, involved));
            }
        }

        private static string Key(ReadOnlySpan<byte> record) => Convert.ToBase64String(record);

        private static string Printable(string key) =>
            System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(key)).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
