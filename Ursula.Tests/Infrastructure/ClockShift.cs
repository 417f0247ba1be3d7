// A seam around a node's wall clock: the node runs with clockshift.so preloaded, which adds the
// offset this object writes to every reading of the real-time clock, so a test can make one node's
// date jump forwards or backwards while its monotonic timers run on.
namespace Ursula.Tests.Infrastructure;

public sealed class ClockShift : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"ursula-clockshift-{Guid.NewGuid():N}");

    /// <summary>Environment variables that load the seam into a node and point it at this offset.</summary>
    public IReadOnlyDictionary<string, string> Environment() => new Dictionary<string, string>
    {
        ["LD_PRELOAD"] = NativeSeam.Library(Path.Combine("ClockShift", "clockshift.c")),
        ["URSULA_CLOCK_OFFSET_FILE"] = file,
    };

    /// <summary>From now on (within 20 ms) the node's clock reads real time plus <paramref name="offset"/> (whole seconds).</summary>
    public void Set(TimeSpan offset) =>
        File.WriteAllText(file, ((long)offset.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => File.Delete(file);
}
