using System.Net;
using System.Text.Json;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// The executable's readiness for load balancers: a node whose only restricted-cleared backend
/// lacks its key variable is not ready for restricted data (503) while ready for public data and
/// live, and its log names the missing variable at start-up.
/// </summary>
public sealed class PublishedBinaryReadinessTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-ready-").FullName;
    private SimulatedBackend _sim = null!;
    private string _config = "";
    private string _api = "";

    public async Task InitializeAsync()
    {
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0 });
        _api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        _config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(_config, $"""
            node:
              id: ready-node
              data_dir: {_dir}/data
            server:
              urls: {_api}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            backends:
              - id: open
                url: {_sim.BaseUrl}
                models: [clinical-7b]
                allowed_classifications: [internal, public]
              - id: secure
                url: {_sim.BaseUrl}
                models: [clinical-7b]
                allowed_classifications: [restricted, confidential, internal, public]
                api_key_env: SECURE_BACKEND_KEY_FOR_TEST
            """);
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Restricted_readiness_is_503_when_the_cleared_backend_has_no_key_and_the_log_names_the_variable()
    {
        await using var node = await NodeProcess.StartAsync(_config, _api);
        using var http = new HttpClient();
        using (var restricted = await http.GetAsync(_api + "/health/ready?classification=restricted"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, restricted.StatusCode);
            using var body = JsonDocument.Parse(await restricted.Content.ReadAsStringAsync());
            Assert.Equal("no healthy backend is cleared for restricted data", body.RootElement.GetProperty("reason").GetString());
        }

        using (var open = await http.GetAsync(_api + "/health/ready?classification=public"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        using (var live = await http.GetAsync(_api + "/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        Assert.Contains(node.Output, line => line.Contains("backend secure is unhealthy: its api_key_env variable SECURE_BACKEND_KEY_FOR_TEST is not set", StringComparison.Ordinal));
    }
}
