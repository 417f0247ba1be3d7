// A node with authentication on: the key file of TestTokens and JWTs by its HMAC secret, no clock
// skew (so that expiry tests need not wait it out), and a listed CORS origin.
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

public class AuthNodeFixture(PostgresFixture postgres) : SingleNodeFixture(postgres)
{
    public const string AllowedOrigin = "https://app.ursula.test";

    private string? keyFile;

    public string KeyFile => keyFile ??= TestTokens.WriteKeyFile(DataDir + "-keys");

    protected override string[] ExtraArguments =>
    [
        "--long-poll-timeout", "2",
        "--keys-file", KeyFile,
        "--jwt-secret", TestTokens.Secret,
        "--jwt-audience", TestTokens.Audience,
        "--jwt-issuer", TestTokens.Issuer,
        "--allowed-origins", AllowedOrigin,
        .. MoreArguments,
    ];

    protected virtual string[] MoreArguments => [];

    protected override IReadOnlyDictionary<string, string> NodeEnvironment => new Dictionary<string, string> { ["URSULA_AUTH__CLOCKSKEW"] = "00:00:00" };

    /// <summary>A client that sends <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient ClientWith(string? token)
    {
        var client = new HttpClient { BaseAddress = Node.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
