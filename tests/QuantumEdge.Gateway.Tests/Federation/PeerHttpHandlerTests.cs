using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Federation;

namespace QuantumEdge.Gateway.Tests.Federation;

public sealed class PeerHttpHandlerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-peer-handler-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Without_a_peer_ca_file_only_the_system_store_decides()
    {
        using var handler = PeerHttpHandler.Factory(new FederationSettings())();
        Assert.Null(handler.SslOptions.RemoteCertificateValidationCallback);
    }

    [Fact]
    public void With_a_peer_ca_file_a_peer_certificate_from_that_ca_is_trusted_and_a_strangers_is_not()
    {
        using var ca = CreateCa("Hospital B CA");
        using var otherCa = CreateCa("Someone else's CA");
        using var leaf = CreateLeaf(ca, "hospital-b.example");
        using var foreign = CreateLeaf(otherCa, "hospital-b.example");
        var caFile = Path.Combine(_dir, "peers-ca.pem");
        File.WriteAllText(caFile, ca.ExportCertificatePem());

        // Gossip and borrowed capacity both build their connections with this handler.
        using var handler = PeerHttpHandler.Factory(new FederationSettings { PeerCaFile = caFile })();
        var callback = handler.SslOptions.RemoteCertificateValidationCallback;
        Assert.NotNull(callback);
        Assert.True(callback(this, leaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(callback(this, foreign, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(callback(this, leaf, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 ca, string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        return request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
    }
}
