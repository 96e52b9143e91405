using System.Net;
using System.Text.Json;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Planning;

/// <summary>The planner in the node: every request routed by it, its state readable with "measurement", its seed metrics exported.</summary>
public sealed class QuantumEndpointTests
{
    [Fact]
    public async Task Concurrent_requests_are_planned_and_the_quantum_endpoints_report_it()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("w1", TestNode.AllLevels, new Gateway.Simulation.SimulatedBackendOptions { Name = "w1", TimeScale = 0.2 }),
            new TestNode.Sim("w2", TestNode.AllLevels, new Gateway.Simulation.SimulatedBackendOptions { Name = "w2", TimeScale = 0.2 }),
        ]);
        var token = node.Token();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            using var request = node.Chat(token, "public", content: $"Case {i % 3}: shared handover note. Question {i}.");
            request.Headers.Add("X-Session-Id", $"s{i % 3}");
            using var r = await node.Http.SendAsync(request);
            return r.StatusCode;
        }));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));

        var status = await GetAsync(node, "/quantum/status", token);
        Assert.Equal("quantum", status.GetProperty("planner").GetString());
        Assert.Equal(24, status.GetProperty("tasks_planned").GetInt64());
        await GetAsync(node, "/quantum/coherence", token);
        await GetAsync(node, "/quantum/optimization/status", token);

        using (var nurse = new HttpRequestMessage(HttpMethod.Get, "/quantum/status"))
        {
            nurse.Headers.Authorization = new("Bearer", node.Token(role: "nurse"));
            using var r = await node.Http.SendAsync(nurse);
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        foreach (var name in new[] { "quantum_coherence_utilization", "superposition_tasks_active", "entanglement_strength_avg",
                     "interference_optimization_gain", "task_planning_time_bucket", "throughput_tasks_per_second", "quantum_optimization_efficiency" })
        {
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Least_loaded_router_turns_the_quantum_endpoints_off()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("w1", TestNode.AllLevels)],
            configure: c => c with { QuantumPlanning = c.QuantumPlanning with { Router = "least_loaded" } });
        using var ok = await node.Http.SendAsync(node.Chat(node.Token(), "public"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/quantum/status");
        request.Headers.Authorization = new("Bearer", node.Token());
        using var r = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        var (_, _, code) = await ErrorShape.ReadAsync(r);
        Assert.Equal("planner_disabled", code);
    }

    [Fact]
    public async Task Status_shows_the_planner_process_the_node_would_offload_to()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("w1", TestNode.AllLevels)]);

        var process = (await GetAsync(node, "/quantum/status", node.Token())).GetProperty("planner_process");

        Assert.Equal(Path.Combine(node.Node.Config.Node.DataDir, "planner.sock"), process.GetProperty("socket_path").GetString());
        Assert.Equal(node.Node.Config.QuantumPlanning.Gpu.MinVariables, process.GetProperty("min_variables").GetInt32());
        // No planner process runs in this test: never connected, nothing solved on a device.
        Assert.False(process.GetProperty("connected").GetBoolean());
        Assert.Equal(JsonValueKind.Null, process.GetProperty("device_kind").ValueKind);
        Assert.Equal(JsonValueKind.Null, process.GetProperty("kernels_loaded").ValueKind);
        Assert.Equal(0, process.GetProperty("gpu_solves").GetInt64());
        Assert.Equal("none", process.GetProperty("last_solve_device").GetString());
    }

    [Fact]
    public async Task With_gpu_limit_zero_status_has_no_planner_process()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("w1", TestNode.AllLevels)],
            configure: c => c with { Resources = c.Resources with { GpuLimit = "0" } });

        var status = await GetAsync(node, "/quantum/status", node.Token());

        Assert.Equal(JsonValueKind.Null, status.GetProperty("planner_process").ValueKind);
    }

    private static async Task<JsonElement> GetAsync(TestNode node, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
