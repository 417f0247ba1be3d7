// A node that takes JWTs signed with RSA keys from a JWK Set, served by a small HTTP listener in
// the test process (the node fetches it when the first JWT arrives).
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

public sealed class JwksNodeFixture : SingleNodeFixture, IAsyncLifetime
{
    public const string KeyId = "test-key-1";

    private readonly HttpListener listener = new();
    private readonly int jwksPort = FreePort.Next();

    public JwksNodeFixture(PostgresFixture postgres)
        : base(postgres)
    {
        listener.Prefixes.Add($"http://127.0.0.1:{jwksPort}/");
        listener.Start();
        _ = ServeAsync();
    }

    public RSA SigningKey { get; } = RSA.Create(2048);

    /// <summary>How often the node fetched the key set.</summary>
    public int Fetches { get; private set; }

    protected override string[] ExtraArguments =>
    [
        "--long-poll-timeout", "2",
        "--jwks-url", $"http://127.0.0.1:{jwksPort}/jwks.json",
        "--jwt-audience", TestTokens.Audience,
        "--jwt-issuer", TestTokens.Issuer,
    ];

    protected override IReadOnlyDictionary<string, string> NodeEnvironment => new Dictionary<string, string> { ["URSULA_AUTH__JWKSALLOWHTTP"] = "true" };

    public string Jwt(string[] grants, RSA? key = null, string keyId = KeyId)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = TestTokens.Issuer,
            Audience = TestTokens.Audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = "jwks-user", ["ursula_grants"] = grants },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? SigningKey) { KeyId = keyId }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>An HS256 token whose HMAC key is the public key's modulus: the algorithm-confusion attack.</summary>
    public string ConfusedJwt(string[] grants)
    {
        var modulus = SigningKey.ExportParameters(false).Modulus!;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = TestTokens.Issuer,
            Audience = TestTokens.Audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = "attacker", ["ursula_grants"] = grants },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(modulus) { KeyId = KeyId }, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        listener.Close();
        SigningKey.Dispose();
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Fetches++;
            var parameters = SigningKey.ExportParameters(false);
            var json = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{KeyId}}","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}""";
            var bytes = Encoding.UTF8.GetBytes(json);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
