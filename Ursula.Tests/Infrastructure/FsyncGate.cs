// A seam around a node's flushes to disk: the node runs with fsyncgate.so preloaded, which holds
// every fsync/fdatasync/msync of its Raft WAL while this gate is closed. Tests use it to show that
// no client is answered before the flush covering its write has completed, and to make a disk slow.
using System.Diagnostics;

namespace Ursula.Tests.Infrastructure;

public sealed class FsyncGate : IDisposable
{
    private static readonly Lazy<string> Library = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);
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
            ["LD_PRELOAD"] = Library.Value,
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

    /// <summary>Compiles the seam once per test run (gcc is part of the test machine, see .ci/run).</summary>
    private static string Build()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "FsyncGate", "fsyncgate.c");
        var output = Path.Combine(Path.GetTempPath(), $"ursula-fsyncgate-{System.Environment.ProcessId}.so");
        var info = new ProcessStartInfo("gcc", ["-shared", "-fPIC", "-O2", "-Wall", "-o", output, source, "-ldl"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var gcc = Process.Start(info) ?? throw new InvalidOperationException("Could not start gcc.");
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building the fsync seam failed ({gcc.ExitCode}):\n{errors}");
        }

        return output;
    }
}
