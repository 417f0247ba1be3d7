// JWT bearer validation: HS256/384/512 with Auth:JwtSecret, or keys from Auth:JwksUrl (a plain
// JWK Set, not an OpenID discovery document); issuer, audience, lifetime (exp required) and
// signature always checked. Claims keep their names (no mapping to WS-* claim types), so grants are
// read from the claim Auth:GrantsClaim names.
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Ursula.Server.Access;

internal static class JwtSetup
{
    public static void Configure(JwtBearerOptions jwt, AccessOptions access)
    {
        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = !access.JwksAllowHttp;
        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                context.Token = BearerToken.From(context.Request);
                return Task.CompletedTask;
            },
        };
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = access.JwtIssuer,
            ValidateAudience = true,
            ValidAudience = access.JwtAudience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = access.ClockSkew,
            NameClaimType = AccessPolicy.SubjectClaim,
        };
        if (!string.IsNullOrWhiteSpace(access.JwtSecret))
        {
            parameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(access.JwtSecret));
            if (string.IsNullOrWhiteSpace(access.JwksUrl))
            {
                parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];
            }
        }

        if (!string.IsNullOrWhiteSpace(access.JwksUrl))
        {
            jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                access.JwksUrl,
                new JwksRetriever(),
                new HttpDocumentRetriever { RequireHttps = !access.JwksAllowHttp });
        }

        jwt.TokenValidationParameters = parameters;
    }

    /// <summary>Reads a JWK Set as the signing keys of a configuration, which JwtBearer refreshes when a token names an unknown key.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var set = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
            var configuration = new OpenIdConnectConfiguration { JwksUri = address, JsonWebKeySet = set };
            foreach (var key in set.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
