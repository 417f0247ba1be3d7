// The record of every client operation in a fault test, appended to from many client tasks. The
// checker reads it once the test has stopped the clients.
using System.Diagnostics;

namespace Ursula.Tests.Checking;

public sealed class History
{
    private readonly List<Operation> operations = [];
    private long nextId;

    /// <summary>When the history began, the zero of the times in reports.</summary>
    public long Origin { get; } = Stopwatch.GetTimestamp();

    public static long Now => Stopwatch.GetTimestamp();

    public long NextId() => Interlocked.Increment(ref nextId);

    public void Add(Operation operation)
    {
        lock (operations)
        {
            operations.Add(operation);
        }
    }

    public IReadOnlyList<Operation> Operations
    {
        get
        {
            lock (operations)
            {
                return operations.ToArray();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (operations)
            {
                return operations.Count;
            }
        }
    }
}
