using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>
/// What <c>check-config</c> says about TLS is what <c>serve</c> will do: an https listener needs a
/// certificate, the files must load, and a TLS block no listener uses is refused.
/// </summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-tls-config-").FullName;

    public TlsConfigurationTests()
    {
        (CertificateFile, KeyFile) = WritePair("server", "1.3.6.1.5.5.7.3.1");
        File.WriteAllText(CaFile, File.ReadAllText(CertificateFile));
    }

    private string CertificateFile { get; }
    private string KeyFile { get; }
    private string CaFile => Path.Combine(_dir, "ca.pem");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static NodeConfiguration Parse(string yaml) => ConfigurationLoader.Parse(yaml, "tls.yaml", TestEnvironment.Empty);

    /// <summary>Refused the way check-config refuses: parsing, then loading the files the listeners would.</summary>
    private static ConfigurationException Refused(string yaml) =>
        Assert.Throws<ConfigurationException>(() => ServerCertificate.CheckFiles(Parse(yaml).Server));

    [Fact]
    public void Verbs_that_never_listen_parse_the_config_without_reading_the_files()
    {
        var absent = Path.Combine(Path.GetTempPath(), $"qe-absent-{Guid.NewGuid():N}.pem");

        var c = Parse("server:\n  urls: https://127.0.0.1:8443\n" + $"  tls:\n    certificate_file: {absent}\n    key_file: {absent}\n");

        Assert.Equal(absent, c.Server.Tls!.KeyFile);
    }

    private string Tls(string certificate, string key) => $"  tls:\n    certificate_file: {certificate}\n    key_file: {key}\n";

    [Fact]
    public void An_https_api_with_its_certificate_is_accepted_and_printed_back()
    {
        var c = Parse("server:\n  urls: https://127.0.0.1:8443\n" + Tls(CertificateFile, KeyFile));

        Assert.Equal(CertificateFile, c.Server.Tls!.CertificateFile);
        Assert.Null(c.Server.EffectiveMetricsTls);
        var printed = ConfigurationPrinter.Print(c);
        Assert.Equal(c.Server, Parse(printed).Server);
    }

    [Fact]
    public void An_https_url_without_a_certificate_is_refused_naming_the_key()
    {
        Assert.Equal("server.tls.certificate_file", Refused("server:\n  urls: https://127.0.0.1:8443\n").Key);
        Assert.Equal("server.tls.certificate_file", Refused("server:\n  metrics_url: https://127.0.0.1:9443\n").Key);
        Assert.Equal("server.tls.certificate_file", Refused("server:\n  urls: [http://127.0.0.1:8080, https://127.0.0.1:8443]\n").Key);
    }

    [Fact]
    public void A_missing_or_unreadable_file_is_refused_naming_its_key()
    {
        var absent = Path.Combine(_dir, "absent.pem");

        Assert.Equal("server.tls.certificate_file", Refused("server:\n  urls: https://127.0.0.1:8443\n" + Tls(absent, KeyFile)).Key);
        Assert.Equal("server.tls.key_file", Refused("server:\n  urls: https://127.0.0.1:8443\n" + Tls(CertificateFile, absent)).Key);
        Assert.Equal("server.tls.certificate_file", Refused("server:\n  urls: https://127.0.0.1:8443\n" + Tls(_dir, KeyFile)).Key);
    }

    [Fact]
    public void A_file_that_is_not_PEM_is_refused_naming_its_key()
    {
        var garbage = Path.Combine(_dir, "garbage.pem");
        File.WriteAllText(garbage, "this is not a certificate\n");

        var certificate = Refused("server:\n  urls: https://127.0.0.1:8443\n" + Tls(garbage, KeyFile));
        var key = Refused("server:\n  urls: https://127.0.0.1:8443\n" + Tls(CertificateFile, garbage));

        Assert.Equal("server.tls.certificate_file", certificate.Key);
        Assert.Contains("no PEM certificate", certificate.Message, StringComparison.Ordinal);
        Assert.Equal("server.tls.key_file", key.Key);
    }

    [Fact]
    public void A_key_that_does_not_match_the_certificate_is_refused()
    {
        var (_, otherKey) = WritePair("other", "1.3.6.1.5.5.7.3.1");

        var e = Refused("server:\n  urls: https://127.0.0.1:8443\n" + Tls(CertificateFile, otherKey));

        Assert.Equal("server.tls.key_file", e.Key);
        Assert.Contains("matching", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_only_for_client_authentication_is_refused()
    {
        var (clientCertificate, clientKey) = WritePair("client", "1.3.6.1.5.5.7.3.2");

        var e = Refused("server:\n  urls: https://127.0.0.1:8443\n" + Tls(clientCertificate, clientKey));

        Assert.Equal("server.tls.certificate_file", e.Key);
        Assert.Contains("serverAuth", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_settings_that_no_listener_uses_are_refused()
    {
        Assert.Equal("server.tls", Refused("server:\n  urls: http://127.0.0.1:8080\n" + Tls(CertificateFile, KeyFile)).Key);
        Assert.Equal("server.metrics_tls", Refused(
            $"server:\n  metrics_url: http://127.0.0.1:9090\n  metrics_tls:\n    certificate_file: {CertificateFile}\n    key_file: {KeyFile}\n").Key);
        Assert.Equal("server.metrics_client_ca_file", Refused($"server:\n  metrics_client_ca_file: {CaFile}\n").Key);
    }

    [Fact]
    public void Metrics_share_the_api_certificate_unless_they_have_their_own_and_may_require_client_certificates()
    {
        var shared = Parse($"server:\n  urls: https://127.0.0.1:8443\n  metrics_url: https://127.0.0.1:9443\n  metrics_client_ca_file: {CaFile}\n" + Tls(CertificateFile, KeyFile));
        var own = Parse($"server:\n  metrics_url: https://127.0.0.1:9443\n  metrics_tls:\n    certificate_file: {CertificateFile}\n    key_file: {KeyFile}\n");

        Assert.Same(shared.Server.Tls, shared.Server.EffectiveMetricsTls);
        Assert.Equal(CaFile, shared.Server.MetricsClientCaFile);
        Assert.Equal("server.metrics_tls", own.Server.EffectiveMetricsTls!.Path);
        Assert.Equal(shared.Server, Parse(ConfigurationPrinter.Print(shared)).Server);
    }

    [Fact]
    public void A_client_authority_file_without_a_certificate_is_refused()
    {
        var e = Refused($"server:\n  metrics_url: https://127.0.0.1:9443\n  metrics_client_ca_file: {KeyFile}\n" + Tls(CertificateFile, KeyFile));

        Assert.Equal("server.metrics_client_ca_file", e.Key);
    }

    private (string Certificate, string Key) WritePair(string name, string usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        var paths = (Path.Combine(_dir, name + ".crt"), Path.Combine(_dir, name + ".key"));
        File.WriteAllText(paths.Item1, certificate.ExportCertificatePem());
        File.WriteAllText(paths.Item2, key.ExportPkcs8PrivateKeyPem());
        return paths;
    }
}
