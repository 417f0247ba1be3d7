namespace Ursula.Bench.Compare.Systems;

/// <summary>Waiting for a started server: an HTTP 200 or a line of output, failing early if the process exits.</summary>
public static class Readiness
{
    public static async Task WaitForHttpOkAsync(ChildProcess process, Uri url, TimeSpan timeout, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitAsync(process, timeout, $"an HTTP 200 from {url}", async () =>
        {
            try
            {
                using var response = await client.GetAsync(url, ct);
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                return false;
            }
        }, ct);
    }

    public static Task WaitForOutputAsync(ChildProcess process, string text, TimeSpan timeout, CancellationToken ct) =>
        WaitAsync(process, timeout, $"'{text}' in its output", () => Task.FromResult(process.Printed(text)), ct);

    private static async Task WaitAsync(ChildProcess process, TimeSpan timeout, string what, Func<Task<bool>> ready, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} (pid {process.Pid}) exited with {process.ExitCode} while starting:\n{process.Tail()}");
            }

            if (await ready())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{process.Name} showed no {what} within {timeout.TotalSeconds:0}s:\n{process.Tail()}");
            }

            await Task.Delay(200, ct);
        }
    }
}
