// Connecting the .NET SignalR client to a node's hub, and reading a subscription into one text.
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Ursula.Server.Hub;

namespace Ursula.Tests.Hub;

public static class HubClients
{
    public static Uri HubUrl(Uri node) => new(node, StreamHubOptions.Path);

    /// <summary>A started connection to the node's hub, on the JSON protocol or MessagePack.</summary>
    public static async Task<HubConnection> ConnectAsync(Uri node, CancellationToken cancellationToken, bool messagePack = false, IRetryPolicy? reconnect = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(HubUrl(node));
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        if (reconnect is not null)
        {
            builder.WithAutomaticReconnect(reconnect);
        }

        var connection = builder.Build();
        await connection.StartAsync(cancellationToken);
        return connection;
    }

    /// <summary>Subscribes and collects every item's data until <paramref name="until"/> holds for the text so far (or the stream completes).</summary>
    public static async Task<(string Text, List<StreamItem> Items)> ReadUntilAsync(HubConnection connection, string path, string offset, Func<string, bool> until, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var items = new List<StreamItem>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await foreach (var item in connection.StreamAsync<StreamItem>("Subscribe", path, offset, stop.Token))
            {
                items.Add(item);
                text.Append(item.Data);
                if (until(text.ToString()))
                {
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }

        return (text.ToString(), items);
    }

    /// <summary>The HTTP status a hub error carries ("404 Not Found: ..." after SignalR's own prefix).</summary>
    public static int StatusOf(HubException error)
    {
        var at = error.Message.IndexOf("HubException: ", StringComparison.Ordinal);
        var message = at >= 0 ? error.Message[(at + "HubException: ".Length)..] : error.Message;
        return int.Parse(message.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Retries every half second for a minute: long enough for a node to restart.</summary>
public sealed class SteadyRetry : IRetryPolicy
{
    public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
        retryContext.ElapsedTime < TimeSpan.FromSeconds(60) ? TimeSpan.FromMilliseconds(500) : null;
}
