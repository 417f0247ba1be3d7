// DotNext maps its Raft transport with its own UseExceptionHandler, whose delegate answers any
// exception with 500 and exception.ToString(). ASP.NET Core asks the IExceptionHandler services
// first, so this one answers requests on the Raft path instead: malformed requests (missing or
// invalid headers, a broken body) get 400 and a short problem body; anything else a short 500
// without a stack trace (DotNext peers read 500 as "member unavailable" and retry, which is right
// for a genuine internal failure), logged here as an error.
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.AspNetCore.Diagnostics;
using Ursula.Server.Hosting.Security;
using Ursula.Server.Protocol;

namespace Ursula.Server.Hosting;

internal sealed class RaftExceptionHandler(ILogger<RaftExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!ClusterEndpoints.IsRaft(request.PathBase.Add(request.Path)))
        {
            return false;
        }

        if (exception is BadHttpRequestException bad)
        {
            await Problem.WriteAsync(context, bad.StatusCode, bad.Message);
        }
        else if (IsMalformedRequest(exception))
        {
            HostingLog.RaftRequestMalformed(logger, exception.GetType().Name, exception.Message);
            await Problem.WriteAsync(context, StatusCodes.Status400BadRequest, $"Malformed Raft request: {exception.Message}");
        }
        else
        {
            HostingLog.RaftRequestFailed(logger, exception);
            await Problem.WriteAsync(context, StatusCodes.Status500InternalServerError, "This node failed to handle the Raft request");
        }

        return true;
    }

    private static bool IsMalformedRequest(Exception exception) =>
        exception is RaftProtocolException or FormatException or InvalidDataException or EndOfStreamException;
}
