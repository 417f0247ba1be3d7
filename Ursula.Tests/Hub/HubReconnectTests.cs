// A subscriber on the automatic-reconnect client while its node is killed (SIGKILL) and restarted
// mid-stream: it resubscribes from the last nextOffset it received and ends with exactly the
// stream's bytes, nothing lost or repeated, while an idempotent producer keeps writing over HTTP.
using System.Net;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Ursula.Server.Hub;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Hub;

[Trait("Category", "Integration")]
public sealed class HubReconnectTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private const int Lines = 240;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reconnecting_subscriber_resumes_from_its_last_nextOffset_with_nothing_lost_or_repeated()
    {
        var path = $"/hub-reconnect/{Guid.NewGuid():N}";
        await using var hub = await HubClients.ConnectAsync(fixture.Node.BaseUrl, Ct, reconnect: new SteadyRetry());
        var reconnected = 0;
        hub.Reconnected += _ =>
        {
            Interlocked.Increment(ref reconnected);
            return Task.CompletedTask;
        };
        await hub.InvokeAsync<CreateResult>("Create", path, "text/plain", Ct);

        var received = new StringBuilder();
        var lastLine = $"line-{Lines - 1:D4}\n";
        var halfway = new TaskCompletionSource();
        var subscriptions = 0;
        var subscriber = Task.Run(async () =>
        {
            var offset = "-1";
            while (!received.ToString().EndsWith(lastLine, StringComparison.Ordinal))
            {
                subscriptions++;
                try
                {
                    await foreach (var item in hub.StreamAsync<StreamItem>("Subscribe", path, offset, Ct))
                    {
                        received.Append(item.Data);
                        offset = item.NextOffset;
                        if (received.Length > Lines * 5)
                        {
                            halfway.TrySetResult();
                        }

                        if (received.ToString().EndsWith(lastLine, StringComparison.Ordinal))
                        {
                            break;
                        }
                    }
                }
                catch (Exception) when (!Ct.IsCancellationRequested)
                {
                    // The connection went away under the subscription; wait for the client to reconnect.
                    while (hub.State != HubConnectionState.Connected)
                    {
                        await Task.Delay(100, Ct);
                    }
                }
            }
        }, Ct);

        var writer = Task.Run(() => WriteLinesAsync(path), Ct);
        await halfway.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        fixture.Node.Kill();
        await Task.Delay(500, Ct);
        fixture.Node.Restart();
        await fixture.Node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), Ct);

        await writer.WaitAsync(TimeSpan.FromSeconds(120), Ct);
        await subscriber.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        var stored = await fixture.Client.ReadAllAsync(path, Ct);
        Assert.Equal(string.Concat(Enumerable.Range(0, Lines).Select(i => $"line-{i:D4}\n")), stored);
        Assert.Equal(stored, received.ToString());
        Assert.True(reconnected >= 1, "the client never reconnected");
        Assert.True(subscriptions >= 2, "the subscription was never resumed");
    }

    /// <summary>One line every 10 ms as an idempotent producer, retrying each until it is acknowledged (the node is down for a while).</summary>
    private async Task WriteLinesAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = fixture.Node.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < Lines; i++)
        {
            while (true)
            {
                try
                {
                    using var response = await http.AppendAsync(path, $"line-{i:D4}\n", "text/plain", Ct,
                        ("Producer-Id", "writer"), ("Producer-Epoch", "0"), ("Producer-Seq", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent)
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !Ct.IsCancellationRequested)
                {
                }

                await Task.Delay(100, Ct);
            }

            await Task.Delay(10, Ct);
        }
    }
}
