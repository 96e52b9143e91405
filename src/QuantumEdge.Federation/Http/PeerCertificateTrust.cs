using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace QuantumEdge.Federation.Http;

/// <summary>
/// How this node validates the TLS certificates of https peers (<c>federation.peer_ca_file</c>):
/// a certificate the system store accepts is accepted as always; one whose only problem is its
/// chain is accepted when it chains to a CA of the bundle instead. The host name must match either
/// way. Revocation is not checked against the bundle's CAs (hospital networks often cannot reach
/// a CRL); replace a compromised peer certificate by rotating the bundle's CA.
/// </summary>
public sealed class PeerCertificateTrust
{
    private readonly X509Certificate2Collection _authorities;

    /// <param name="authorities">The bundle's CA certificates.</param>
    public PeerCertificateTrust(X509Certificate2Collection authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        if (authorities.Count == 0)
        {
            throw new ArgumentException("the CA bundle holds no certificate", nameof(authorities));
        }

        _authorities = authorities;
    }

    /// <summary>The CA certificates of a PEM bundle's text.</summary>
    public static PeerCertificateTrust FromPem(string pem)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(pem);
        return new PeerCertificateTrust(certificates);
    }

    /// <summary>For <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }
}
