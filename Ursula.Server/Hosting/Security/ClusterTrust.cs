// How this node checks the certificate of another member it connects to (Raft, forwarding, admin
// relays, the members verb): the system's trust store, and when --tls-ca is given the authorities
// in that file as well. The certificate's name must match the member's host either way.
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ursula.Server.Hosting.Security;

public sealed class ClusterTrust(X509Certificate2Collection? authorities)
{
    public static ClusterTrust System { get; } = new(null);

    public static ClusterTrust From(TlsOptions tls) => new(tls.LoadAuthorities());

    /// <summary>Sets the handler's certificate check; with no extra authorities the default check stays.</summary>
    public void Apply(SocketsHttpHandler handler)
    {
        if (authorities is { Count: > 0 })
        {
            handler.SslOptions.RemoteCertificateValidationCallback = Validate;
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        // Only chain errors remain: build the chain again against the configured authorities.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2;
        using var owned = leaf is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return custom.Build(leaf ?? owned!);
    }
}
