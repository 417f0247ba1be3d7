// The credentials of the access tests: an API key file with keys of each level on /tenant-a, and
// JWTs signed (or mis-signed) with the node's HMAC secret, for the right or a wrong audience and
// issuer, live or expired.
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ursula.Tests.Access;

public static class TestTokens
{
    public const string Secret = "access-tests-hmac-secret-of-forty-bytes!!";
    public const string Audience = "ursula-tests";
    public const string Issuer = "https://issuer.ursula.test";

    public const string ReaderA = "key-reader-tenant-a-0001";
    public const string WriterA = "key-writer-tenant-a-0002";
    public const string AdminA = "key-admin-tenant-a-00003";
    public const string AdminAll = "key-admin-everything-004";
    public const string ExpiredKey = "key-expired-tenant-a-005";
    public const string NoGrants = "key-without-grants-00006";

    /// <summary>Writes the key file: the reader's key by its hash, the others as plain keys (both forms are read).</summary>
    public static string WriteKeyFile(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "keys.json");
        var document = new
        {
            keys = new object[]
            {
                new { id = "reader-a", sha256 = Ursula.Server.Access.ApiKeyFile.Hash(ReaderA), grants = new[] { "read:/tenant-a/**" }, expires = "2099-01-01T00:00:00Z" },
                new { id = "writer-a", key = WriterA, grants = new[] { "write:/tenant-a/**" } },
                new { id = "admin-a", key = AdminA, grants = new[] { "admin:/tenant-a/**" } },
                new { id = "admin-all", key = AdminAll, grants = new[] { "admin:/**" } },
                new { id = "expired", key = ExpiredKey, grants = new[] { "write:/tenant-a/**" }, expires = "2020-01-01T00:00:00Z" },
                new { id = "nogrants", key = NoGrants, grants = Array.Empty<string>() },
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document));
        return path;
    }

    /// <summary>A JWT with the given grants; by default valid for an hour, for this node's audience and issuer.</summary>
    public static string Jwt(
        string[] grants,
        TimeSpan? lifetime = null,
        string audience = Audience,
        string issuer = Issuer,
        string secret = Secret,
        string subject = "jwt-user",
        bool spaceSeparated = false)
    {
        var now = DateTime.UtcNow;
        var life = lifetime ?? TimeSpan.FromHours(1);
        var expires = now + life;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = life > TimeSpan.Zero ? now : expires - TimeSpan.FromMinutes(1),
            NotBefore = life > TimeSpan.Zero ? now : expires - TimeSpan.FromMinutes(1),
            Expires = expires,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["ursula_grants"] = spaceSeparated ? string.Join(' ', grants) : grants,
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>An unsigned token ("alg": "none") with every claim right: must be refused.</summary>
    public static string UnsignedJwt(string[] grants)
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Part(new { alg = "none", typ = "JWT" })}.{Part(new Dictionary<string, object> { ["iss"] = Issuer, ["aud"] = Audience, ["exp"] = exp, ["sub"] = "x", ["ursula_grants"] = grants })}.";
    }
}
