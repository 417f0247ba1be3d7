using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ursula.Server.State.Subscriptions;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed partial class WebhookSignatureTests
{
    private static readonly WebhookSigningKey Key = new(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));

    [GeneratedRegex(@"^t=(\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)$")]
    private static partial Regex HeaderFormat();

    [Fact]
    public void The_key_of_RFC_8032_test_1_gives_its_public_key_and_signature()
    {
        // RFC 8032 section 7.1, TEST 1: the empty message.
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(Key.PublicKey));
        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(Key.Sign([])));
    }

    [Fact]
    public void The_header_signs_timestamp_dot_body_and_names_the_kid()
    {
        var body = "{\"subscription_id\":\"s\"}"u8.ToArray();
        var header = Key.SignatureHeader(1_778_324_210, body);
        var match = HeaderFormat().Match(header);
        Assert.True(match.Success, header);
        Assert.Equal("1778324210", match.Groups[1].Value);
        Assert.Equal(Key.Kid, match.Groups[2].Value);
        Assert.DoesNotContain("=", match.Groups[3].Value, StringComparison.Ordinal);
        var signature = FromBase64Url(match.Groups[3].Value);
        Assert.True(WebhookSigningKey.Verify(Key.PublicKey, Encoding.UTF8.GetBytes("1778324210." + Encoding.UTF8.GetString(body)), signature));
        Assert.False(WebhookSigningKey.Verify(Key.PublicKey, Encoding.UTF8.GetBytes("1778324211." + Encoding.UTF8.GetString(body)), signature));
        Assert.False(WebhookSigningKey.Verify(Key.PublicKey, Encoding.UTF8.GetBytes("1778324210." + Encoding.UTF8.GetString(body) + " "), signature));
    }

    [Fact]
    public void The_kid_is_ds_and_the_RFC_7638_thumbprint_of_the_public_jwk()
    {
        var jwk = $"{{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"{Convert.ToBase64String(Key.PublicKey).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"}}";
        var thumbprint = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(jwk))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal("ds_" + thumbprint, Key.Kid);
        Assert.Equal(Key.Kid, new WebhookSigningKey(Key.Seed).Kid);
        Assert.NotEqual(Key.Kid, new WebhookSigningKey(new byte[32]).Kid);
    }

    [Fact]
    public async Task Nodes_own_crypto_verifies_the_signature_from_the_published_jwks()
    {
        // An independent Ed25519 implementation (Node's, what the conformance suite's receiver uses).
        var body = "{\"wake_id\":\"w_1\",\"generation\":7}";
        var header = Key.SignatureHeader(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(body));
        var jwks = SubscriptionJson.Jwks(Key);
        var script = """
            const { createPublicKey, verify } = require("node:crypto");
            const [jwks, header, body] = process.argv.slice(1);
            const [, t, kid, sig] = header.match(/^t=(\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)$/);
            const key = JSON.parse(jwks).keys.find(k => k.kid === kid);
            const ok = verify(null, Buffer.from(`${t}.${body}`), createPublicKey({ key, format: "jwk" }), Buffer.from(sig, "base64url"));
            const tampered = verify(null, Buffer.from(`${t}.${body}x`), createPublicKey({ key, format: "jwk" }), Buffer.from(sig, "base64url"));
            process.stdout.write(`${ok} ${tampered} ${key.kty} ${key.crv} ${key.alg}`);
            """;
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-e", script, jwks, header, body })
        {
            info.ArgumentList.Add(arg);
        }

        using var node = Process.Start(info)!;
        var output = await node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = await node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(output == "true false OKP Ed25519 EdDSA", $"{output}\n{errors}");
    }

    [Fact]
    public void Tokens_are_bound_to_subscription_kind_generation_and_wake()
    {
        var token = WakeToken.Create(Key.TokenKey, "/v1/stream", "s", WakeToken.Callback, 7, "w_a");
        Assert.True(WakeToken.IsValid(Key.TokenKey, "/v1/stream", "s", WakeToken.Callback, 7, "w_a", token));
        Assert.False(WakeToken.IsValid(Key.TokenKey, "/v1/stream", "s", WakeToken.Callback, 8, "w_a", token));
        Assert.False(WakeToken.IsValid(Key.TokenKey, "/v1/stream", "s", WakeToken.Callback, 7, "w_b", token));
        Assert.False(WakeToken.IsValid(Key.TokenKey, "/v1/stream", "s", WakeToken.Claim, 7, "w_a", token));
        Assert.False(WakeToken.IsValid(Key.TokenKey, "/v1/stream", "t", WakeToken.Callback, 7, "w_a", token));
        Assert.False(WakeToken.IsValid(Key.TokenKey, "", "s", WakeToken.Callback, 7, "w_a", token));
        Assert.False(WakeToken.IsValid(new WebhookSigningKey(new byte[32]).TokenKey, "/v1/stream", "s", WakeToken.Callback, 7, "w_a", token));
        Assert.False(WakeToken.IsValid(Key.TokenKey, "/v1/stream", "s", WakeToken.Callback, 7, "w_a", token + "x"));
        Assert.False(WakeToken.IsValid(Key.TokenKey, "/v1/stream", "s", WakeToken.Callback, 7, "w_a", null));
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }
}
