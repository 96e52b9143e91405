using System.Net;
using QuantumEdge.Node.Tests.Hosting.Tls;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// HTTPS from the real executable (the slim, AOT-compiled host): the API and metrics served with the
/// configured certificate, metrics requiring a client certificate, and <c>check-config</c> and
/// <c>serve</c> refusing an https URL without one alike.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryTlsTests : IDisposable
{
    private readonly TestCertificates _ca = new();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task Serve_answers_over_https_and_metrics_demand_a_client_certificate_from_the_configured_authority()
    {
        var (_, files) = _ca.Server("published-node");
        var api = $"https://127.0.0.1:{NodeProcess.FreePort()}";
        var metrics = $"https://127.0.0.1:{NodeProcess.FreePort()}";
        var config = Path.Combine(_ca.Directory, "node.yaml");
        await File.WriteAllTextAsync(config, $"""
            node:
              data_dir: {_ca.Directory}/data
            server:
              urls: [{api}]
              metrics_url: {metrics}
              metrics_client_ca_file: {_ca.AuthorityFile}
              tls:
                certificate_file: {files.CertificateFile}
                key_file: {files.KeyFile}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            """);
        var served = new List<string>();
        using var probe = _ca.ClientFor(served);
        using var prometheus = _ca.ClientFor(served, _ca.Client("prometheus"));

        await using var node = await NodeProcess.StartAsync(config, api, probe);
        await Assert.ThrowsAsync<HttpRequestException>(() => probe.GetAsync(metrics + "/metrics"));
        using (var scraped = await prometheus.GetAsync(metrics + "/metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        }

        Assert.Contains("CN=published-node", served);
        Assert.All(served, s => Assert.Equal("CN=published-node", s));
        Assert.Equal(0, await node.StopAsync());
    }

    [Theory]
    [InlineData("check-config", "none")]
    [InlineData("serve", "none")]
    [InlineData("check-config", "garbage")]
    [InlineData("serve", "garbage")]
    [InlineData("check-config", "directory")]
    [InlineData("serve", "directory")]
    public async Task A_missing_or_bad_certificate_is_the_same_configuration_error_for_check_config_and_serve(string verb, string certificate)
    {
        var garbage = Path.Combine(_ca.Directory, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "not a certificate\n");
        var tls = certificate switch
        {
            "garbage" => $"  tls:\n    certificate_file: {garbage}\n    key_file: {garbage}\n",
            "directory" => $"  tls:\n    certificate_file: {_ca.Directory}\n    key_file: {garbage}\n",
            _ => "",
        };
        var config = Path.Combine(_ca.Directory, "bad-cert.yaml");
        await File.WriteAllTextAsync(config, $"node:\n  data_dir: {_ca.Directory}/data\nserver:\n  urls: https://127.0.0.1:{NodeProcess.FreePort()}\n{tls}");

        var (exit, output) = await NodeProcess.RunAsync(verb, "--config", config);

        Assert.Equal(2, exit);
        Assert.Contains("'server.tls.certificate_file'", output, StringComparison.Ordinal);
    }
}
