using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Tests.Hosting.Tls;

/// <summary>A throw-away certificate authority that issues server and client certificates as PEM files.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name = "QuantumEdge Test CA")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("qe-tls-").FullName;
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        AuthorityFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(AuthorityFile, Authority.ExportCertificatePem());
    }

    public string Directory { get; }
    public X509Certificate2 Authority { get; }
    public string AuthorityFile { get; }

    /// <summary>Issues a server certificate for 127.0.0.1 and writes it to <c>name.crt</c>/<c>name.key</c>.</summary>
    public (X509Certificate2 Certificate, TlsSettings Files) Server(string name, int reloadCheckSeconds = 60)
    {
        var certificate = Issue($"CN={name}", "1.3.6.1.5.5.7.3.1", server: true);
        var settings = new TlsSettings
        {
            CertificateFile = Path.Combine(Directory, name + ".crt"),
            KeyFile = Path.Combine(Directory, name + ".key"),
            ReloadCheckSeconds = reloadCheckSeconds,
        };
        Write(certificate, settings.CertificateFile, settings.KeyFile);
        return (certificate, settings);
    }

    /// <summary>Issues a client certificate (with its key, for an <see cref="HttpClient"/>).</summary>
    public X509Certificate2 Client(string name) => Issue($"CN={name}", "1.3.6.1.5.5.7.3.2", server: false);

    /// <summary>Writes <paramref name="certificate"/> and its key over the given files, each replaced by a rename.</summary>
    public static void Write(X509Certificate2 certificate, string certificateFile, string keyFile)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        Replace(keyFile, key.ExportPkcs8PrivateKeyPem());
        Replace(certificateFile, certificate.ExportCertificatePem());
    }

    /// <summary>An HTTP client that records the certificate each new connection was served, trusting only this authority.</summary>
    public HttpClient ClientFor(List<string> served, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    var presented = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                    lock (served)
                    {
                        served.Add(presented.Subject);
                    }

                    return ChainsTo(presented);
                },
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose()
    {
        _caKey.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private bool ChainsTo(X509Certificate2 presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    private X509Certificate2 Issue(string subject, string usage, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static void Replace(string path, string content)
    {
        var temp = path + ".new";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
