using System.Net;
using System.Text.Json;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>/health and the metrics listener.</summary>
public sealed class OpsEndpointTests
{
    [Fact]
    public async Task Health_is_200_with_live_backends_and_503_naming_the_failure_without()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("only", TestNode.AllLevels)]);
        using (var ok = await node.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using var doc = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
            Assert.Equal("healthy", doc.RootElement.GetProperty("status").GetString());
        }

        await node.Sims[0].DisposeAsync();
        node.Sims.Clear();
        var monitor = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Gateway.Backends.BackendHealthMonitor>(node.Node.Services);
        await monitor.ProbeAllAsync(CancellationToken.None);

        using var bad = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, bad.StatusCode);
        using var badDoc = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", badDoc.RootElement.GetProperty("status").GetString());
        var failing = badDoc.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => !c.GetProperty("healthy").GetBoolean()).Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("backends", failing);
        Assert.Contains("backend:only", failing);
    }

    [Fact]
    public async Task Metrics_listener_exports_request_and_backend_series()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("m", TestNode.AllLevels)]);
        using (var r = await node.Http.SendAsync(node.Chat(node.Token(), "phi")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await node.Http.SendAsync(node.Chat(null)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        using var http = new HttpClient();
        var text = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("quantumedge_requests_total{route=\"chat_completions\",status=\"200\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("quantumedge_refusals_total{reason=\"invalid_api_key\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("quantumedge_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("quantumedge_backend_in_flight{backend=\"m\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("quantumedge_tokens_total{backend=\"m\",kind=\"completion\"}", text, StringComparison.Ordinal);

        // The API port does not serve metrics, and the metrics port does not serve the API.
        using var onApi = await node.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, onApi.StatusCode);
    }

    [Fact]
    public async Task Models_lists_the_union_of_backends_models_and_needs_a_token()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("a", TestNode.AllLevels, new Gateway.Simulation.SimulatedBackendOptions { Name = "a", TimeScale = 0, Models = ["m1", "m2"] }),
            new TestNode.Sim("b", TestNode.OpenLevels, new Gateway.Simulation.SimulatedBackendOptions { Name = "b", TimeScale = 0, Models = ["m2", "m3"] }),
        ]);
        using var anonymous = await node.Http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new("Bearer", node.Token());
        using var response = await node.Http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var ids = doc.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(["m1", "m2", "m3"], ids);
    }
}
