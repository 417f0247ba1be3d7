// The shared secret of a cluster. The endpoints that carry cluster traffic (Raft, forwarding,
// administration) accept only requests bearing it, and every request a node sends to another node
// carries it. A node always has one: given (--cluster-secret) or generated into its data directory.
using System.Security.Cryptography;
using System.Text;

namespace Ursula.Server.Hosting.Security;

public sealed class ClusterSecret
{
    public const string Scheme = "Bearer";

    private readonly byte[] expected;

    public ClusterSecret(string secret)
    {
        if (Problem(secret) is { } problem)
        {
            throw new OptionsValidationException(problem);
        }

        expected = Encoding.ASCII.GetBytes($"{Scheme} {secret}");
        HeaderValue = Encoding.ASCII.GetString(expected);
    }

    public string HeaderValue { get; }

    /// <summary>Null when the text can be a secret: it travels as an HTTP bearer token.</summary>
    public static string? Problem(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return "the cluster secret is empty";
        }

        return secret.All(c => c is > ' ' and <= '~') ? null : "the cluster secret may only contain visible ASCII characters (no spaces)";
    }

    public bool Accepts(string? authorization) =>
        authorization is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), expected);

    public void Apply(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("Authorization", HeaderValue);
}
