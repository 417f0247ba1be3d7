// One SSE reader for the graceful-stop tests: reads a live stream until the server ends the
// response, and records whether it ended cleanly (the body completed, no reset) and the type of
// the last event it received.
using System.Diagnostics;

namespace Ursula.Tests.Operations;

public sealed class SseWatcher : IDisposable
{
    private readonly HttpClient client = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SseWatcher(Uri stream)
    {
        Completion = Task.Run(() => ReadAsync(stream));
    }

    public Task Completion { get; }

    public bool EndedCleanly { get; private set; }

    public string? LastEvent { get; private set; }

    public string? LastControl { get; private set; }

    public int Events { get; private set; }

    public string? Failure { get; private set; }

    /// <summary>When the response ended (a <see cref="Stopwatch"/> timestamp).</summary>
    public long EndedAt { get; private set; }

    public static async Task<SseWatcher> StartAsync(Uri stream, CancellationToken cancellationToken)
    {
        var watcher = new SseWatcher(new Uri(stream + "?offset=now&live=sse"));
        await watcher.connected.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return watcher;
    }

    private async Task ReadAsync(Uri url)
    {
        string? type = null;
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            connected.TrySetResult();
            await using var body = await response.Content.ReadAsStreamAsync();
            using var reader = new StreamReader(body);
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal) && type == "control")
                {
                    LastControl = line["data:".Length..].Trim();
                }
                else if (line.Length == 0 && type is not null)
                {
                    LastEvent = type;
                    Events++;
                    type = null;
                }
            }

            EndedCleanly = true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            Failure = e.Message;
            connected.TrySetException(e);
        }
        finally
        {
            EndedAt = Stopwatch.GetTimestamp();
        }
    }

    public override string ToString() =>
        $"clean={EndedCleanly} events={Events} last={LastEvent ?? "-"} control={LastControl ?? "-"} failure={Failure ?? "-"}";

    public void Dispose() => client.Dispose();
}
