// Raft's rule for a follower: persist the entries, then acknowledge them. DotNext's WAL answers an
// AppendEntries once the entries are in its pages and flushes them in the background, and a leader
// counts that answer towards a commit: it applies the entry (Ursula writes it to PostgreSQL) and
// its own WAL keeps it as committed for good. Were a majority to crash before flushing, the entry
// would be gone from the majority, a new leader would put another at its index, and the old leader
// would keep its own copy forever (MajorityLossTests). So this middleware holds a node's answer to
// every AppendEntries until its WAL is flushed: the body DotNext writes is buffered, the WAL flushed,
// then the answer sent.
// WriteAheadLog.FlushAsync waits on an event that takes one waiter at a time, the same one DotNext's
// CommitAsync waits on; two waiters at once throw InvalidOperationException on a thread-pool thread
// and kill the process. DotNext commits on a follower only inside AppendEntries, so each
// AppendEntries is handled and flushed whole under one lock: no two of these flushes overlap, nor
// one and the next AppendEntries' commit. A leader's own commits wait on that event too; they cannot
// start while the node is a follower, so the flush is skipped on a node that leads.
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Ursula.Server.Hosting.Security;

namespace Ursula.Server.Hosting;

internal sealed class DurableAppendMiddleware(RequestDelegate next)
{
    private const string MessageTypeHeader = "X-Raft-Message-Type";

    private readonly SemaphoreSlim serial = new(1, 1);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsAppendEntries(request) || !ClusterEndpoints.IsRaft(request.PathBase.Add(request.Path)))
        {
            await next(context);
            return;
        }

        var response = context.Response;
        var body = response.Body;
        using var answer = new MemoryStream();
        await serial.WaitAsync(context.RequestAborted);
        try
        {
            response.Body = answer;
            try
            {
                await next(context);
            }
            finally
            {
                response.Body = body;
            }

            var cluster = context.RequestServices.GetService<IRaftCluster>();
            if (cluster?.AuditTrail is WriteAheadLog log && cluster.Leader is not { IsRemote: false })
            {
                await log.FlushAsync(context.RequestAborted);
            }
        }
        finally
        {
            serial.Release();
        }

        answer.Position = 0;
        await answer.CopyToAsync(body, context.RequestAborted);
    }

    // As DotNext dispatches: on the first value of the header, whatever the method (it routes every
    // request under its path by this header alone). InstallSnapshot, votes and the rest pass through
    // unbuffered: a snapshot is applied to the state machine before it is answered.
    private static bool IsAppendEntries(HttpRequest request)
    {
        foreach (var value in request.Headers[MessageTypeHeader])
        {
            if (value is not null)
            {
                return string.Equals(value, "AppendEntries", StringComparison.Ordinal);
            }
        }

        return false;
    }
}
