// A follower's side of forwarding: commands from this node's clients are batched and posted to
// the leader, and each client is answered only once this node has applied its command itself, so
// a read on this node right after the write sees it.
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Ursula.Server.State;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Replication.Forwarding;

public sealed class LeaderForwarder(
    IRaftCluster cluster,
    StreamCatalog catalog,
    IOptions<SequencerOptions> options,
    IHttpMessageHandlerFactory handlers,
    ILogger<LeaderForwarder> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private const int MaxCommandsPerPost = 1024;
    private readonly SequencerOptions options = options.Value;
    private readonly Channel<PendingCommand> queue = Channel.CreateBounded<PendingCommand>(
        new BoundedChannelOptions(65_536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly HttpClient http = new(handlers.CreateHandler("forwarding")) { Timeout = Timeout.InfiniteTimeSpan };

    public async ValueTask<ApplyOutcome> SubmitAsync(Command command, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<ApplyOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await queue.Writer.WriteAsync(new PendingCommand(command, completion), cancellationToken);
        try
        {
            return await completion.Task.WaitAsync(options.CommitTimeout + TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new ServiceUnavailableException("The leader did not answer in time; the write's outcome is unknown, retry with the same producer headers to be safe", RetryAfter, e);
        }
    }

    /// <summary>Sends a command whose outcome nobody waits for (a TTL renewal); false when the queue is full and it was dropped.</summary>
    public bool Post(StreamCommand command) => queue.Writer.TryWrite(new PendingCommand(command, null));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.MaxInFlight * 2);
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);

                // As the sequencer fills a log entry: up to MaxEntryBytes, or one larger command alone.
                var batch = new List<PendingCommand>();
                long bytes = CommandCodec.HeaderBytes;
                while (batch.Count < MaxCommandsPerPost && reader.TryPeek(out var next))
                {
                    var size = CommandCodec.SizeOf(next.Command);
                    if (batch.Count > 0 && bytes + size > options.MaxEntryBytes)
                    {
                        break;
                    }

                    reader.TryRead(out _);
                    batch.Add(next);
                    bytes += size;
                }

                _ = ForwardAsync(batch, slots, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ForwardAsync(List<PendingCommand> batch, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            var results = await PostAsync(batch, stoppingToken);
            for (var i = 0; i < batch.Count; i++)
            {
                var completion = batch[i].Completion;
                if (completion is null)
                {
                    continue;
                }

                if (results[i].Outcome is { } outcome)
                {
                    // Read-your-writes on this node: answer once this node's own apply has the entry.
                    await catalog.WaitForAppliedAsync(outcome.LogIndex, options.CommitTimeout, stoppingToken);
                    completion.TrySetResult(outcome);
                }
                else
                {
                    completion.TrySetException(new ServiceUnavailableException(results[i].Unavailable ?? "The leader could not apply the write", RetryAfter));
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            var error = e as ServiceUnavailableException
                ?? new ServiceUnavailableException("The leader could not be reached; the write's outcome is unknown, retry with the same producer headers to be safe", RetryAfter, e);
            ReplicationLog.ForwardFailed(logger, batch.Count, e.Message, e is ServiceUnavailableException ? null : e);
            foreach (var pending in batch)
            {
                pending.Completion?.TrySetException(error);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<ForwardedResult[]> PostAsync(List<PendingCommand> batch, CancellationToken cancellationToken)
    {
        var payload = CommandCodec.Encode(0, batch.ConvertAll(p => p.Command));
        for (var attempt = 0; ; attempt++)
        {
            var leader = LeaderBaseUrl() ?? throw new ServiceUnavailableException("No leader is elected right now; retry shortly", RetryAfter);
            using var content = new ByteArrayContent(payload);
            content.Headers.ContentType = new MediaTypeHeaderValue(ForwardingContract.ContentType);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(options.CommitTimeout);
            using var response = await http.PostAsync(new Uri(leader, Streams.StreamPath.ReservedPrefix + ForwardingContract.Path), content, limit.Token);
            if ((int)response.StatusCode == ForwardingContract.NotLeaderStatus && attempt < 3)
            {
                // Nothing was applied there: wait for the election to settle and try the new leader.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), cancellationToken);
                continue;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ServiceUnavailableException($"The leader answered {(int)response.StatusCode} to a forwarded write", RetryAfter);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(limit.Token);
            var results = await JsonSerializer.DeserializeAsync(stream, ForwardingJsonContext.Default.ForwardedResultArray, limit.Token);
            return results is { Length: var n } && n == batch.Count
                ? results
                : throw new ServiceUnavailableException("The leader's answer did not match the forwarded commands", RetryAfter);
        }
    }

    private Uri? LeaderBaseUrl() => cluster.Leader?.EndPoint switch
    {
        UriEndPoint { Uri: var uri } => new Uri(uri.GetLeftPart(UriPartial.Authority)),
        _ => null,
    };

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }
}
