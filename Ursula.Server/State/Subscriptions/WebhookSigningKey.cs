// The cluster's webhook signing key. Its 32-byte Ed25519 seed is replicated state: the first
// subscription command carries a random seed from the node that received it, apply keeps the
// first one it sees, PostgreSQL persists it and snapshots carry it, so every node signs with the
// same key and publishes the same JWKS. The kid is "ds_" and the RFC 7638 thumbprint of the
// public JWK. Callback and claim tokens are HMAC-SHA256 under a key derived from the same seed.
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Ursula.Server.State.Subscriptions;

public sealed class WebhookSigningKey
{
    public const int SeedBytes = 32;
    private readonly Ed25519PrivateKeyParameters privateKey;

    public WebhookSigningKey(byte[] seed)
    {
        if (seed.Length != SeedBytes)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedBytes} bytes.", nameof(seed));
        }

        Seed = seed;
        privateKey = new Ed25519PrivateKeyParameters(seed, 0);
        PublicKey = privateKey.GeneratePublicKey().GetEncoded();
        X = Base64Url(PublicKey);
        var thumbprint = SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"{X}\"}}"));
        Kid = "ds_" + Base64Url(thumbprint);
        TokenKey = HMACSHA256.HashData(seed, "ursula webhook tokens v1"u8);
    }

    public byte[] Seed { get; }

    public byte[] PublicKey { get; }

    /// <summary>The public key, unpadded base64url (the JWK's x).</summary>
    public string X { get; }

    public string Kid { get; }

    /// <summary>The HMAC key of callback and claim tokens and of wake ids.</summary>
    internal byte[] TokenKey { get; }

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, privateKey);
        var bytes = message.ToArray();
        signer.BlockUpdate(bytes, 0, bytes.Length);
        return signer.GenerateSignature();
    }

    /// <summary>The Webhook-Signature header for <paramref name="body"/> sent at <paramref name="unixSeconds"/>: t=..,kid=..,ed25519=..</summary>
    public string SignatureHeader(long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var message = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t, message);
        message[t.Length] = (byte)'.';
        body.CopyTo(message.AsSpan(t.Length + 1));
        return $"t={t},kid={Kid},ed25519={Base64Url(Sign(message))}";
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey.ToArray(), 0));
        var bytes = message.ToArray();
        verifier.BlockUpdate(bytes, 0, bytes.Length);
        return verifier.VerifySignature(signature.ToArray());
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
