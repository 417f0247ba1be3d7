// The shared secret of a cluster (--cluster-secret). When set, the endpoints that carry cluster
// traffic (Raft, forwarding, administration) accept only requests bearing it, and every request a
// node sends to another node carries it.
using System.Security.Cryptography;
using System.Text;

namespace Ursula.Server.Hosting.Security;

public sealed class ClusterSecret(string? secret)
{
    public const string Scheme = "Bearer";

    private readonly byte[]? expected = string.IsNullOrEmpty(secret) ? null : Encoding.UTF8.GetBytes($"{Scheme} {secret}");

    public bool IsEnabled => expected is not null;

    public string? HeaderValue => expected is null ? null : Encoding.UTF8.GetString(expected);

    public bool Accepts(string? authorization)
    {
        if (expected is null)
        {
            return true;
        }

        return authorization is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), expected);
    }

    public void Apply(HttpRequestMessage request)
    {
        if (HeaderValue is { } value)
        {
            request.Headers.TryAddWithoutValidation("Authorization", value);
        }
    }
}
