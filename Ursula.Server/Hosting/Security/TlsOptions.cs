// TLS for every connection to the node, clients' and other members' alike: --tls-cert and
// --tls-key name PEM files (the key may also sit in the certificate file); --tls-ca names the PEM
// bundle of the certificate authorities that sign the members' certificates, which this node
// trusts (on top of the system's) when it connects to other members. Without --tls-cert the node
// speaks plain HTTP, as before. Paths are resolved against the directory the command was started in.
using System.Security.Cryptography.X509Certificates;

namespace Ursula.Server.Hosting.Security;

public sealed class TlsOptions
{
    public const string Section = "Tls";

    /// <summary>PEM certificate (chain) this node serves; setting it turns TLS on.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM private key of <see cref="CertFile"/>; empty when the certificate file holds it.</summary>
    public string? KeyFile { get; set; }

    /// <summary>PEM bundle of the authorities whose certificates this node trusts for other members.</summary>
    public string? CaFile { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertFile);

    /// <summary>Binds and checks the options; throws with a message that names the flag at fault.</summary>
    public static TlsOptions Bind(IConfiguration configuration)
    {
        var options = new TlsOptions();
        configuration.GetSection(Section).Bind(options);
        if (!options.Enabled && !string.IsNullOrWhiteSpace(options.KeyFile))
        {
            throw new OptionsValidationException("--tls-key (Tls:KeyFile) is set without --tls-cert (Tls:CertFile)");
        }

        RequireFile(options.CertFile, "--tls-cert (Tls:CertFile)");
        RequireFile(options.KeyFile, "--tls-key (Tls:KeyFile)");
        RequireFile(options.CaFile, "--tls-ca (Tls:CaFile)");
        if (options.Enabled)
        {
            // Load once here, so a wrong key or a bad file fails the start with the flag's name.
            try
            {
                using var certificate = options.LoadCertificate();
                if (!certificate.HasPrivateKey)
                {
                    throw new OptionsValidationException("--tls-cert (Tls:CertFile) has no private key: give it with --tls-key (Tls:KeyFile)");
                }
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new OptionsValidationException($"--tls-cert/--tls-key (Tls:CertFile, Tls:KeyFile) could not be loaded as a PEM certificate and key: {e.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.CaFile))
        {
            try
            {
                if (options.LoadAuthorities() is not { Count: > 0 })
                {
                    throw new OptionsValidationException("--tls-ca (Tls:CaFile) holds no PEM certificate");
                }
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new OptionsValidationException($"--tls-ca (Tls:CaFile) could not be read as PEM certificates: {e.Message}");
            }
        }

        return options;
    }

    /// <summary>The server certificate with its key, read from the PEM files.</summary>
    public X509Certificate2 LoadCertificate()
    {
        var cert = Path.GetFullPath(CertFile!);
        return X509Certificate2.CreateFromPemFile(cert, string.IsNullOrWhiteSpace(KeyFile) ? null : Path.GetFullPath(KeyFile));
    }

    /// <summary>The trusted authorities of <see cref="CaFile"/>, or null when none is configured.</summary>
    public X509Certificate2Collection? LoadAuthorities()
    {
        if (string.IsNullOrWhiteSpace(CaFile))
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(Path.GetFullPath(CaFile));
        return authorities;
    }

    private static void RequireFile(string? path, string option)
    {
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(Path.GetFullPath(path)))
        {
            throw new OptionsValidationException($"{option}: no file at {Path.GetFullPath(path)}");
        }
    }
}
