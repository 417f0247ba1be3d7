// The hub's IStreamAccess under the access policy: Head and Subscribe need read on the path,
// Append, Close and Create write, exactly as the same operations over HTTP.
using System.Security.Claims;
using Ursula.Server.Hub;

namespace Ursula.Server.Access;

internal sealed class GrantStreamAccess(AccessPolicy policy) : IStreamAccess
{
    public ValueTask<bool> IsAllowedAsync(ClaimsPrincipal? user, string path, StreamAccessKind kind, CancellationToken cancellationToken) =>
        ValueTask.FromResult(policy.Allows(user, kind == StreamAccessKind.Read ? AccessLevel.Read : AccessLevel.Write, path));
}
