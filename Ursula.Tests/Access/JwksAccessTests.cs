// JWTs verified with keys from a JWKS URL: a token signed by the published key is accepted, one
// signed by another key under the same key id, or HMAC-signed with the public key (algorithm
// confusion), is refused.
using System.Net;
using System.Security.Cryptography;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

[Trait("Category", "Integration")]
public sealed class JwksAccessTests(JwksNodeFixture fixture) : IClassFixture<JwksNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_tokens_signed_by_the_published_key_are_accepted()
    {
        var path = $"/tenant-a/{Guid.NewGuid():N}";
        using (var good = Client(fixture.Jwt(["write:/tenant-a/**"])))
        {
            using var created = await good.CreateAsync(path, body: "signed", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.True(fixture.Fetches >= 1, "the node never fetched the key set");
        using var stranger = RSA.Create(2048);
        foreach (var token in new[] { fixture.Jwt(["admin:/**"], stranger), fixture.Jwt(["admin:/**"], stranger, "unknown-key"), fixture.ConfusedJwt(["admin:/**"]), TestTokens.Jwt(["admin:/**"]) })
        {
            using var bad = Client(token);
            using var response = await bad.AppendAsync(path, "forged", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var reader = Client(fixture.Jwt(["read:/tenant-a/**"]));
        Assert.Equal("signed", await reader.ReadAllAsync(path, Ct));
    }

    private HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = fixture.Node.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }
}
