// Callback tokens (webhooks) and claim tokens (pull-wake): "kind.generation.wake_id" and an
// HMAC-SHA256 over it and the subscription's identity, both base64url. A token is good for one
// subscription, one wake of it and one use (callback or claim); apply checks it against the
// current wake, so a token of an earlier wake is fenced even though its MAC is valid.
using System.Security.Cryptography;
using System.Text;

namespace Ursula.Server.State.Subscriptions;

public static class WakeToken
{
    public const string Callback = "cb";
    public const string Claim = "claim";

    public static string Create(byte[] key, string root, string id, string kind, long generation, string wakeId)
    {
        var claims = $"{kind}.{generation.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{wakeId}";
        return WebhookSigningKey.Base64Url(Encoding.UTF8.GetBytes(claims)) + "." + WebhookSigningKey.Base64Url(Mac(key, root, id, claims));
    }

    /// <summary>True when <paramref name="token"/> was minted for this subscription, kind, generation and wake.</summary>
    public static bool IsValid(byte[] key, string root, string id, string kind, long generation, string wakeId, string? token)
    {
        if (token is null || token.Length > 512)
        {
            return false;
        }

        var expected = Create(key, root, id, kind, generation, wakeId);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(token));
    }

    /// <summary>A wake id: unguessable, and the same on every node (derived from the entry that issued it).</summary>
    public static string WakeId(byte[] key, string root, string id, long logIndex, long generation) =>
        "w_" + Convert.ToHexStringLower(Mac(key, root, id, $"wake.{logIndex}.{generation}"))[..24];

    private static byte[] Mac(byte[] key, string root, string id, string claims) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{root}\n{id}\n{claims}"));
}
