// Builds the tests' LD_PRELOAD seams (FsyncGate, ClockShift) from their C source with gcc, once
// per test run each (gcc is part of the test machine, see .ci/run).
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ursula.Tests.Infrastructure;

public static class NativeSeam
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Built = new(StringComparer.Ordinal);

    /// <summary>The path of the shared library built from Infrastructure/<paramref name="source"/>.</summary>
    public static string Library(string source) =>
        Built.GetOrAdd(source, s => new Lazy<string>(() => Build(s), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private static string Build(string source)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Infrastructure", source);
        var output = Path.Combine(Path.GetTempPath(), $"ursula-{Path.GetFileNameWithoutExtension(source)}-{Environment.ProcessId}.so");
        var info = new ProcessStartInfo("gcc", ["-shared", "-fPIC", "-O2", "-Wall", "-o", output, path, "-ldl"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var gcc = Process.Start(info) ?? throw new InvalidOperationException("Could not start gcc.");
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building the seam {source} failed ({gcc.ExitCode}):\n{errors}");
        }

        return output;
    }
}
