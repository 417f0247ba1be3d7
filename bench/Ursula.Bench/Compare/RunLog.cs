namespace Ursula.Bench.Compare;

/// <summary>The run's own log: timestamped lines on the console and in RUN_DIR/run.log.</summary>
public sealed class RunLog(string path) : IDisposable
{
    private readonly StreamWriter _file = new(path, append: true) { AutoFlush = true };
    private readonly Lock _gate = new();

    public void Line(string text)
    {
        var line = $"[{DateTime.Now:HH:mm:ss}] {text}";
        lock (_gate)
        {
            Console.WriteLine(line);
            _file.WriteLine(line);
        }
    }

    public void Dispose() => _file.Dispose();
}
