// A seam around a node's flushes to disk: the node runs with fsyncgate.so preloaded, which holds
// every fsync/fdatasync/msync of its Raft WAL while this gate is closed. Tests use it to show that
// no client is answered before the flush covering its write has completed, and to make a disk slow.
namespace Ursula.Tests.Infrastructure;

public sealed class FsyncGate : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"ursula-fsyncgate-{Guid.NewGuid():N}");

    public FsyncGate()
    {
        Directory.CreateDirectory(directory);
    }

    private string GateFile => Path.Combine(directory, "gate");

    private string HeldFile => GateFile + ".held";

    /// <summary>Environment variables that load the seam into a node and point it at this gate (its Raft WAL only).</summary>
    public IReadOnlyDictionary<string, string> Environment(int delayMs = 0)
    {
        var variables = new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = NativeSeam.Library(Path.Combine("FsyncGate", "fsyncgate.c")),
            ["URSULA_FSYNC_GATE"] = GateFile,
            ["URSULA_FSYNC_GATE_FILTER"] = $"{Path.DirectorySeparatorChar}raft{Path.DirectorySeparatorChar}",
        };
        if (delayMs > 0)
        {
            variables["URSULA_FSYNC_DELAY_MS"] = delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return variables;
    }

    /// <summary>From now on the node's WAL flushes wait until <see cref="Open"/>.</summary>
    public void Close()
    {
        File.Delete(HeldFile);
        File.WriteAllBytes(GateFile, []);
    }

    public void Open() => File.Delete(GateFile);

    /// <summary>From now on every WAL flush of the node takes <paramref name="delay"/> longer (a slow disk); zero ends it.</summary>
    public void Slow(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            File.Delete(GateFile + ".delay");
            return;
        }

        File.WriteAllText(GateFile + ".delay", ((long)delay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>True once a flush of the node's WAL has been held by the closed gate.</summary>
    public bool HasHeldAFlush => File.Exists(HeldFile);

    public void Dispose()
    {
        Open();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
