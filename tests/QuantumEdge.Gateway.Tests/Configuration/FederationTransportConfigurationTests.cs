using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary><c>federation.gossip_interval_seconds</c> and <c>federation.peer_ca_file</c>: read, bounded, and checked at load.</summary>
public sealed class FederationTransportConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-fed-ca-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Yaml(string extra)
    {
        using var signer = Ed25519Signer.Generate();
        return $$"""
            node:
              id: hospital-a
            backends:
              - id: gpu-a
                url: http://10.0.0.5:8000/v1
                models: [clinical-7b]
            federation:
              enabled: true
              federation_id: regional-health-net
              peers:
                - id: hospital-b
                  url: "https://hospital-b.example:7443"
                  public_key: "{{FederationPublicKey.Format(signer.PublicKey.Span)}}"
            {{extra}}
            """;
    }

    private static NodeConfiguration Parse(string yaml) => ConfigurationLoader.Parse(yaml, "federation.yaml", TestEnvironment.Empty);

    [Fact]
    public void Defaults_are_a_five_second_gossip_and_the_system_store_only()
    {
        var f = Parse(Yaml("")).Federation;
        Assert.Equal(5, f.GossipIntervalSeconds);
        Assert.Null(f.PeerCaFile);
    }

    [Fact]
    public void Both_keys_are_read_when_valid()
    {
        var bundle = Path.Combine(_dir, "peers-ca.pem");
        File.WriteAllText(bundle, CaPem());
        var f = Parse(Yaml($"  gossip_interval_seconds: 2\n  peer_ca_file: {bundle}")).Federation;
        Assert.Equal(2, f.GossipIntervalSeconds);
        Assert.Equal(bundle, f.PeerCaFile);
    }

    [Theory]
    [InlineData("  gossip_interval_seconds: 0")]
    [InlineData("  gossip_interval_seconds: 3601")]
    public void An_out_of_range_gossip_interval_is_refused_naming_the_key(string extra)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(Yaml(extra)));
        Assert.Equal("federation.gossip_interval_seconds", e.Key);
    }

    [Fact]
    public void A_missing_or_non_pem_ca_bundle_is_refused_at_load_naming_the_key()
    {
        var missing = Assert.Throws<ConfigurationException>(() => Parse(Yaml($"  peer_ca_file: {Path.Combine(_dir, "absent.pem")}")));
        Assert.Equal("federation.peer_ca_file", missing.Key);

        var text = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(text, "not a certificate\n");
        var notPem = Assert.Throws<ConfigurationException>(() => Parse(Yaml($"  peer_ca_file: {text}")));
        Assert.Equal("federation.peer_ca_file", notPem.Key);
        Assert.Contains("holds no PEM certificate", notPem.Message, StringComparison.Ordinal);
    }

    private static string CaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Hospital peers CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return ca.ExportCertificatePem();
    }
}
