using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// A certificate and its private key read from PEM files, ready for a TLS listener: the first
/// certificate in the file is served, any that follow are sent as its chain. <c>check-config</c>
/// and <c>serve</c> both load through here, so they accept and refuse the same files.
/// </summary>
public sealed class ServerCertificate
{
    /// <summary>Largest PEM file accepted (a long chain is a few KiB).</summary>
    public const int MaxPemBytes = 1024 * 1024;

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private ServerCertificate(X509Certificate2 certificate, SslStreamCertificateContext context)
    {
        Certificate = certificate;
        Context = context;
    }

    /// <summary>The served certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate with its chain, as handed to each TLS handshake.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>Loads the pair named by <paramref name="tls"/>; a <see cref="ConfigurationException"/> names the key at fault.</summary>
    public static ServerCertificate Load(TlsSettings tls)
    {
        var certificateKey = $"{tls.Path}.certificate_file";
        var keyKey = $"{tls.Path}.key_file";
        var certificatePem = Encoding.UTF8.GetString(RegularFile.Read(tls.CertificateFile, MaxPemBytes, certificateKey));
        var keyPem = Encoding.UTF8.GetString(RegularFile.Read(tls.KeyFile, MaxPemBytes, keyKey));
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificatePem);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException(certificateKey, $"'{tls.CertificateFile}' is not a readable PEM certificate: {e.Message}");
        }

        if (chain.Count == 0)
        {
            throw new ConfigurationException(certificateKey, $"'{tls.CertificateFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ConfigurationException(keyKey,
                $"'{tls.KeyFile}' holds no unencrypted PEM private key matching the certificate in '{tls.CertificateFile}': {e.Message}");
        }

        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage && usage.EnhancedKeyUsages[ServerAuthentication] is null)
            {
                throw new ConfigurationException(certificateKey, $"'{tls.CertificateFile}' is not for server authentication (its extended key usage lacks serverAuth)");
            }
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use an ephemeral key: give it the pair as a PKCS#12 blob.
            certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        return new ServerCertificate(certificate, SslStreamCertificateContext.Create(certificate, intermediates, offline: true));
    }

    /// <summary>
    /// Loads every certificate, key and authority file <paramref name="server"/> names, exactly as the
    /// listeners will: <c>check-config</c> calls this so that it refuses what <c>serve</c> would.
    /// </summary>
    public static void CheckFiles(ServerSettings server)
    {
        if (server.Tls is { } tls)
        {
            Load(tls);
        }

        if (server.MetricsTls is { } metricsTls)
        {
            Load(metricsTls);
        }

        if (server.MetricsClientCaFile is { } ca)
        {
            LoadAuthorities(ca, "server.metrics_client_ca_file");
        }
    }

    /// <summary>The certificate authorities a client certificate must chain to (a PEM file of one or more).</summary>
    public static X509Certificate2Collection LoadAuthorities(string path, string key)
    {
        var pem = Encoding.UTF8.GetString(RegularFile.Read(path, MaxPemBytes, key));
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException(key, $"'{path}' is not a readable PEM certificate: {e.Message}");
        }

        return authorities.Count > 0
            ? authorities
            : throw new ConfigurationException(key, $"'{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }

    /// <summary>Whether <paramref name="client"/> chains to one of <paramref name="authorities"/> and may authenticate a client.</summary>
    public static bool IsTrustedClient(X509Certificate2 client, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(client);
    }
}
