using System.Diagnostics;
using System.Net;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Tests.Hosting.Tls;

/// <summary>HTTPS on the API and metrics listeners, certificate reload, and client certificates for metrics.</summary>
public sealed class TlsListenerTests : IDisposable
{
    private readonly TestCertificates _ca = new();

    public void Dispose() => _ca.Dispose();

    private static Task<TestNode> StartAsync(Func<ServerSettings, ServerSettings> server) =>
        TestNode.StartAsync([new TestNode.Sim("sim", TestNode.OpenLevels)], server);

    /// <summary>/health is 200 or 503 depending on the backends' first probe; either is an answer over TLS.</summary>
    private static bool Answered(HttpResponseMessage r) => r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable;

    [Fact]
    public async Task The_api_and_metrics_are_served_over_https_with_the_configured_certificate()
    {
        var (_, files) = _ca.Server("node-a");
        await using var node = await StartAsync(s => s with { Urls = "https://127.0.0.1:0", MetricsUrl = "https://127.0.0.1:0", Tls = files });
        var served = new List<string>();
        using var client = _ca.ClientFor(served);

        Assert.StartsWith("https://", node.Node.ApiAddress, StringComparison.Ordinal);
        using var health = await client.GetAsync(node.Node.ApiAddress + "/health");
        using var metrics = await client.GetAsync(node.Node.MetricsAddress + "/metrics");

        Assert.True(Answered(health));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(["CN=node-a", "CN=node-a"], served);
    }

    [Fact]
    public async Task Replacing_the_files_switches_the_certificate_for_new_connections_and_keeps_open_ones()
    {
        var (_, files) = _ca.Server("before", reloadCheckSeconds: 1);
        await using var node = await StartAsync(s => s with { Urls = "https://127.0.0.1:0", Tls = files });
        var firstServed = new List<string>();
        using var first = _ca.ClientFor(firstServed);
        using (var r = await first.GetAsync(node.Node.ApiAddress + "/health"))
        {
            Assert.True(Answered(r));
        }

        var (after, _) = _ca.Server("after");
        TestCertificates.Write(after, files.CertificateFile, files.KeyFile);

        // Each attempt opens a new connection; the node looks at the files at most once a second.
        var deadline = Stopwatch.StartNew();
        var lastServed = "";
        while (lastServed != "CN=after" && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var served = new List<string>();
            using var fresh = _ca.ClientFor(served);
            using var r = await fresh.GetAsync(node.Node.ApiAddress + "/health");
            Assert.True(Answered(r));
            lastServed = Assert.Single(served);
        }

        Assert.Equal("CN=after", lastServed);
        // The connection opened before the switch was not dropped: it answers without a new handshake.
        using (var r = await first.GetAsync(node.Node.ApiAddress + "/health"))
        {
            Assert.True(Answered(r));
        }

        Assert.Equal(["CN=before"], firstServed);
    }

    [Fact]
    public async Task Metrics_with_a_client_authority_refuse_clients_without_a_certificate_from_it()
    {
        var (_, files) = _ca.Server("node-m");
        using var otherCa = new TestCertificates("Some Other CA");
        await using var node = await StartAsync(s => s with
        {
            Urls = "http://127.0.0.1:0",
            MetricsUrl = "https://127.0.0.1:0",
            Tls = files,
            MetricsClientCaFile = _ca.AuthorityFile,
        });
        var served = new List<string>();
        using var anonymous = _ca.ClientFor(served);
        using var stranger = _ca.ClientFor(served, otherCa.Client("prometheus-elsewhere"));
        using var prometheus = _ca.ClientFor(served, _ca.Client("prometheus"));

        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync(node.Node.MetricsAddress + "/metrics"));
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.GetAsync(node.Node.MetricsAddress + "/metrics"));
        using var scraped = await prometheus.GetAsync(node.Node.MetricsAddress + "/metrics");

        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
    }
}
