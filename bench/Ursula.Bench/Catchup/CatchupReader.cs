using System.Diagnostics;
using Ursula.Bench.Append;
using Ursula.Bench.Http;

namespace Ursula.Bench.Catchup;

/// <summary>
/// One catch-up client: reads the stream from the start to its tail (<see cref="StreamTailReader"/>),
/// counting and verifying the bytes against the fill pattern.
/// </summary>
public sealed class CatchupReader(HttpClient client, string streamUrl, byte[] pattern, int bufferSize)
{
    public long Bytes { get; private set; }

    public int Requests { get; private set; }

    public double Seconds { get; private set; }

    public bool ContentOk { get; private set; } = true;

    public string? Error { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var buffer = new byte[bufferSize];
        var start = Stopwatch.GetTimestamp();
        try
        {
            (Bytes, Requests) = await StreamTailReader.ReadToTailAsync(client, streamUrl, buffer, Verify, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Error = $"{e.GetType().Name}: {e.Message}";
        }

        Seconds = RunClock.Seconds(Stopwatch.GetTimestamp() - start);
    }

    private void Verify(ReadOnlySpan<byte> data, long position)
    {
        if (ContentOk && !FillPattern.Verify(data, position, pattern))
        {
            ContentOk = false;
        }
    }
}
