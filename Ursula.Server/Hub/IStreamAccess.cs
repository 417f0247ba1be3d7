// The authorization seam of the client surfaces: every hub method asks it before it touches a
// stream. Today every caller may do everything (as over HTTP, where authorization is a deployment
// concern); authentication (issue 13) replaces OpenStreamAccess and can also put an authorization
// policy on the hub's endpoint (the builder MapStreamHub returns).
using System.Security.Claims;

namespace Ursula.Server.Hub;

public enum StreamAccessKind
{
    /// <summary>Head, Subscribe.</summary>
    Read,

    /// <summary>Append, Close.</summary>
    Write,

    /// <summary>Create.</summary>
    Create,
}

public interface IStreamAccess
{
    ValueTask<bool> IsAllowedAsync(ClaimsPrincipal? user, string path, StreamAccessKind kind, CancellationToken cancellationToken);
}

public sealed class OpenStreamAccess : IStreamAccess
{
    public ValueTask<bool> IsAllowedAsync(ClaimsPrincipal? user, string path, StreamAccessKind kind, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);
}
