using System.Diagnostics;
using System.Globalization;
using System.Net;
using HdrHistogram;
using Ursula.Bench.Http;
using Ursula.Bench.Metrics;

namespace Ursula.Bench.Append;

/// <summary>
/// One closed-loop writer: sends one append at a time, cycling round-robin over the streams
/// (writer i starts at stream i). Only requests started inside the measured window are counted.
/// With producer headers, each writer is producer "&lt;prefix&gt;-w&lt;i&gt;" at epoch 0 with its own
/// sequence per stream; the sequence only advances on success, so a failed request is retried with
/// the same sequence (the idempotent-producer retry rule). Without producer headers a writer may
/// send over its own <see cref="RawHttpConnection"/>, which costs far less CPU than HttpClient.
/// </summary>
public sealed class AppendWriter(int index, AppendPlan plan)
{
    public LongHistogram Latency { get; } = LatencySummary.NewHistogram();

    /// <summary>Latency from the paced due time (only with --rate).</summary>
    public LongHistogram ScheduledLatency { get; } = LatencySummary.NewHistogram();

    public Tally Statuses { get; } = new();

    public Tally Exceptions { get; } = new();

    public long Succeeded { get; private set; }

    /// <summary>This writer's own connection when the plan has encoded requests (no producer headers).</summary>
    public RawHttpConnection? Connection { get; } =
        plan.RawRequests is null ? null : RawHttpConnection.To(new Uri(plan.StreamUrls[0]));

    public async Task RunAsync(CancellationToken ct)
    {
        var urls = plan.StreamUrls;
        var next = index % urls.Count;
        var producerId = plan.ProducerIdPrefix is null ? null : $"{plan.ProducerIdPrefix}-w{index}";
        var sequences = producerId is null ? null : new long[urls.Count];
        var clock = plan.Clock;

        while (!ct.IsCancellationRequested)
        {
            long due = 0;
            if (plan.Pacer is not null)
            {
                due = plan.Pacer.NextDue();
                if (due >= clock.End)
                {
                    break;
                }

                await RunClock.DelayUntilAsync(due, ct);
            }

            var start = Stopwatch.GetTimestamp();
            if (start >= clock.End)
            {
                break;
            }

            var stream = next;
            next = (next + 1) % urls.Count;
            var measured = clock.IsMeasured(start);
            try
            {
                var status = Connection is { } raw
                    ? await raw.SendAsync(plan.RawRequests![stream], ct)
                    : await SendWithClientAsync(stream, producerId, sequences, ct);
                var end = Stopwatch.GetTimestamp();
                if (measured)
                {
                    Statuses.AddStatus(status);
                    if (StreamApi.IsSuccess((HttpStatusCode)status))
                    {
                        Succeeded++;
                        LatencySummary.Record(Latency, end - start);
                        if (plan.Pacer is not null)
                        {
                            LatencySummary.Record(ScheduledLatency, end - due);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                if (measured)
                {
                    Exceptions.AddException(exception);
                }

                // Avoid a hot spin when the server refuses connections.
                await Task.Delay(5, ct);
            }
        }
    }

    private async ValueTask<int> SendWithClientAsync(int stream, string? producerId, long[]? sequences, CancellationToken ct)
    {
        using var request = StreamApi.NewAppend(plan.StreamUrls[stream], plan.Payload, plan.ContentType);
        if (sequences is not null)
        {
            request.Headers.TryAddWithoutValidation("Producer-Id", producerId);
            request.Headers.TryAddWithoutValidation("Producer-Epoch", "0");
            request.Headers.TryAddWithoutValidation(
                "Producer-Seq", sequences[stream].ToString(CultureInfo.InvariantCulture));
        }

        using var response = await plan.Client.SendAsync(request, ct);
        if (sequences is not null)
        {
            AdvanceSequence(sequences, stream, response, StreamApi.IsSuccess(response.StatusCode));
        }

        return (int)response.StatusCode;
    }

    private static void AdvanceSequence(long[] sequences, int stream, HttpResponseMessage response, bool ok)
    {
        if (ok)
        {
            sequences[stream]++;
            return;
        }

        // On a sequence gap the server tells us what it expects; resynchronise instead of looping on 409.
        if (response.StatusCode == HttpStatusCode.Conflict
            && StreamApi.Header(response, "Producer-Expected-Seq") is { } expected
            && long.TryParse(expected, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            sequences[stream] = value;
        }
    }
}
