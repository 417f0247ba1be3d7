// The authentication handler of static API keys: a bearer token that is one of Auth:KeysFile's
// keys becomes a principal with the key's id as subject, its grants as claims of the grants
// claim and its expiry as exp, the same shape a JWT gives, so nothing after authentication cares
// which kind of token a caller used.
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Ursula.Server.Hosting.Security;

namespace Ursula.Server.Access;

internal sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logging,
    UrlEncoder encoder,
    ApiKeyStore store,
    AccessPolicy policy,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logging, encoder)
{
    public const string SchemeName = "UrsulaApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // The cluster endpoints take the cluster secret (ClusterAuthMiddleware), never a client
        // token: judging their bearer as an API key would only fail and log, on every Raft message.
        if (ClusterEndpoints.IsClusterEndpoint(Request.Path) || BearerToken.From(Request) is not { } token)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (store.Find(token) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.Fail("The token is not a known API key"));
        }

        if (key.Expires is { } expires && expires <= time.GetUtcNow())
        {
            return Task.FromResult(AuthenticateResult.Fail($"The API key {key.Id} expired at {expires:O}"));
        }

        var claims = new List<Claim> { new(AccessPolicy.SubjectClaim, "key:" + key.Id) };
        claims.AddRange(key.Grants.Select(g => new Claim(policy.GrantsClaim, g.ToString())));
        if (key.Expires is { } at)
        {
            claims.Add(new Claim(AccessPolicy.ExpiryClaim, at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, AccessPolicy.SubjectClaim, null));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
