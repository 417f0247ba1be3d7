// The checks of Auth:* that need more than attributes: JWT settings that go together, and the
// rule that a node without authentication listens only on loopback unless told --insecure.
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Ursula.Server.Hosting;

namespace Ursula.Server.Access;

internal sealed class AccessOptionsValidator(IOptions<NodeOptions> node) : IValidateOptions<AccessOptions>
{
    public const int MinSecretBytes = 32;

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var errors = new List<string>();
        if (options.JwtEnabled)
        {
            if (string.IsNullOrWhiteSpace(options.JwtAudience))
            {
                errors.Add("Auth:JwtAudience (--jwt-audience) is required when JWTs are accepted");
            }

            if (string.IsNullOrWhiteSpace(options.JwtIssuer))
            {
                errors.Add("Auth:JwtIssuer (--jwt-issuer) is required when JWTs are accepted");
            }
        }

        if (!string.IsNullOrEmpty(options.JwtSecret) && Encoding.UTF8.GetByteCount(options.JwtSecret) < MinSecretBytes)
        {
            errors.Add($"Auth:JwtSecret (--jwt-secret) must be at least {MinSecretBytes} bytes");
        }

        if (!string.IsNullOrWhiteSpace(options.JwksUrl)
            && (!Uri.TryCreate(options.JwksUrl, UriKind.Absolute, out var jwks) || !(jwks.Scheme == Uri.UriSchemeHttps || (jwks.Scheme == Uri.UriSchemeHttp && options.JwksAllowHttp))))
        {
            errors.Add($"Auth:JwksUrl (--jwks-url) must be an https URL (http only with Auth:JwksAllowHttp), got '{options.JwksUrl}'");
        }

        if (options.KeysEnabled && !File.Exists(options.KeysFile))
        {
            errors.Add($"Auth:KeysFile (--keys-file) {Path.GetFullPath(options.KeysFile!)} does not exist");
        }

        if (options.EffectiveOrigins is { Length: > 1 } origins && origins.Contains("*"))
        {
            errors.Add("Auth:AllowedOrigins (--allowed-origins) is either * alone or a list of origins");
        }

        if (!options.Enabled && !options.Insecure && !IsLoopback(node.Value.ParseListen().Host))
        {
            errors.Add($"Authentication is off (no Auth:KeysFile, Auth:JwtSecret or Auth:JwksUrl) and --listen {node.Value.Listen} reaches beyond loopback: configure authentication (docs/security.md) or pass --insecure (Auth:Insecure) to serve every client everything");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
