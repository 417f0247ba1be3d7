using System.Diagnostics;
using HdrHistogram;
using Ursula.Bench.Append;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Fanout;

/// <summary>
/// The single fan-out writer: one timestamped record is due every 1/rate seconds (Stopwatch
/// timeline) until the duration ends. Appends are sent open-loop with up to maxInFlight requests
/// outstanding, so a slow append does not silently lower the publish rate; if the limit is reached
/// the writer waits, and the achieved rate (reported) drops below the target; nothing is sent
/// after the duration ends. A warm-up window at the same rate may come first (its records carry the
/// sequences below FirstMeasured and count toward delivery, not toward latency). The timestamp in the
/// payload is taken immediately before each POST is sent.
/// </summary>
public sealed class FanoutPublisher(HttpClient client, string streamUrl, string contentType, int payloadSize)
{
    private readonly List<long> _acknowledged = [];
    private readonly Lock _gate = new();

    /// <summary>Sequences the server acknowledged (200/204); every subscriber should receive all of them.</summary>
    public IReadOnlyList<long> Acknowledged => _acknowledged;

    public long Attempted { get; private set; }

    /// <summary>Time from the start of the measured window until the last response arrived.</summary>
    public double ElapsedSeconds { get; private set; }

    /// <summary>The publishing window; the achieved rate is Attempted / Duration.</summary>
    public TimeSpan Duration { get; private set; }

    /// <summary>How often the in-flight limit delayed a send.</summary>
    public long Throttled { get; private set; }

    public LongHistogram AppendLatency { get; } = LatencySummary.NewHistogram();

    public Tally Statuses { get; } = new();

    public Tally Exceptions { get; } = new();

    /// <summary>
    /// The first sequence of the measured window: those before it were published during the warm-up,
    /// are delivered and checked like the others, and are left out of every latency and rate figure.
    /// </summary>
    public long FirstMeasured { get; private set; }

    /// <summary>The sequence number due first after <paramref name="warmup"/> at <paramref name="rate"/> appends/s.</summary>
    public static long FirstMeasuredOf(double rate, TimeSpan warmup) => (long)Math.Ceiling(warmup.TotalSeconds * rate);

    public async Task RunAsync(double rate, TimeSpan warmup, TimeSpan duration, int maxInFlight, CancellationToken ct)
    {
        Duration = duration;
        FirstMeasured = FirstMeasuredOf(rate, warmup);
        var json = contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
        var interval = Stopwatch.Frequency / rate;
        using var slots = new SemaphoreSlim(Math.Max(1, maxInFlight));
        var pending = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        var measuredStart = start + (long)(FirstMeasured * interval);
        var end = measuredStart + RunClock.ToTicks(duration);
        for (long sequence = 0; ; sequence++)
        {
            var due = start + (long)(sequence * interval);
            if (due >= end)
            {
                break;
            }

            await RunClock.DelayUntilAsync(due, ct);
            if (!slots.Wait(0, CancellationToken.None))
            {
                Throttled++;
                await slots.WaitAsync(ct);
                if (Stopwatch.GetTimestamp() >= end)
                {
                    slots.Release();
                    break;
                }
            }

            var payload = new byte[payloadSize];
            var sentAt = Stopwatch.GetTimestamp();
            TimestampPayload.Write(payload, sequence, sentAt, json);
            if (sequence >= FirstMeasured)
            {
                Attempted++;
            }

            pending.Add(SendAsync(payload, sequence, sentAt, slots, ct));
        }

        await Task.WhenAll(pending);
        ElapsedSeconds = RunClock.Seconds(Stopwatch.GetTimestamp() - measuredStart);
    }

    private async Task SendAsync(byte[] payload, long sequence, long sentAt, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            using var request = StreamApi.NewAppend(streamUrl, payload, contentType);
            using var response = await client.SendAsync(request, ct);
            var elapsed = Stopwatch.GetTimestamp() - sentAt;
            Statuses.AddStatus((int)response.StatusCode);
            if (StreamApi.IsSuccess(response.StatusCode))
            {
                lock (_gate)
                {
                    if (sequence >= FirstMeasured)
                    {
                        LatencySummary.Record(AppendLatency, elapsed);
                    }

                    _acknowledged.Add(sequence);
                }
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Exceptions.AddException(e);
        }
        finally
        {
            slots.Release();
        }
    }
}
