// Options of client authentication and authorization, bound from the "Auth" configuration
// section. Authentication is on as soon as a key file or a JWT key source is given; with neither
// the node is in the development default (everyone may do everything), which it says loudly at
// start and refuses beyond loopback unless Insecure is set.
using System.ComponentModel.DataAnnotations;

namespace Ursula.Server.Access;

public sealed class AccessOptions
{
    public const string Section = "Auth";

    /// <summary>A JSON file of static API keys and their grants (see docs/security.md); re-read when it changes.</summary>
    public string? KeysFile { get; set; }

    /// <summary>The HMAC secret (at least 32 bytes of UTF-8) JWTs are signed with (HS256/384/512).</summary>
    public string? JwtSecret { get; set; }

    /// <summary>A JWKS URL the JWT signing keys are fetched from (RS256, ES256, ...); refreshed when a token names an unknown key.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>The audience every JWT must name ("aud"); required when JWTs are accepted.</summary>
    public string? JwtAudience { get; set; }

    /// <summary>The issuer every JWT must name ("iss"); required when JWTs are accepted.</summary>
    public string? JwtIssuer { get; set; }

    /// <summary>The JWT claim that carries grants: a list of "LEVEL:PATTERN" strings, or one string of them separated by spaces.</summary>
    [Required]
    public string GrantsClaim { get; set; } = "ursula_grants";

    /// <summary>How far a JWT's exp and nbf may be off this node's clock.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Allow JWKS URLs over plain http (tests and private networks only).</summary>
    public bool JwksAllowHttp { get; set; }

    /// <summary>Run without authentication even when listening beyond loopback.</summary>
    public bool Insecure { get; set; }

    /// <summary>
    /// Origins of browser pages on other sites that may use the streams, the hub and the listing
    /// (CORS), comma-separated. Unset: any origin without authentication, none with it; "*" any
    /// origin; "none" none; else exactly those ("https://app.example.com,https://admin.example.com").
    /// </summary>
    public string? AllowedOrigins { get; set; }

    /// <summary>
    /// Host header values the node answers, comma-separated (port ignored; "*.example.com" covers
    /// subdomains). Unset: on a loopback listener only loopback names (DNS rebinding protection),
    /// else any host.
    /// </summary>
    public string? AllowedHosts { get; set; }

    public bool JwtEnabled => !string.IsNullOrWhiteSpace(JwtSecret) || !string.IsNullOrWhiteSpace(JwksUrl);

    public bool KeysEnabled => !string.IsNullOrWhiteSpace(KeysFile);

    /// <summary>True when requests must carry a token.</summary>
    public bool Enabled => JwtEnabled || KeysEnabled;

    /// <summary>The CORS origins in effect: "*" alone for any, empty for none.</summary>
    public string[] EffectiveOrigins => List(AllowedOrigins) is { Length: > 0 } given ? (given is ["none"] ? [] : given) : Enabled ? [] : ["*"];

    public string[] AllowedHostList => List(AllowedHosts);

    private static string[] List(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
