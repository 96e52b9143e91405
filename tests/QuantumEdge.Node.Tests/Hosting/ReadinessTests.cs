using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QuantumEdge.Gateway.Backends;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// Health that tells the truth: per-classification readiness for load balancers, liveness apart
/// from it, a backend without its key variable unhealthy from the start, and a backend refusing the
/// gateway's key answered as the gateway's fault (502 naming the backend), not the caller's.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_is_503_for_restricted_when_the_only_cleared_backend_is_down_while_liveness_stays_200()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("open", TestNode.OpenLevels),
            new TestNode.Sim("secure", TestNode.AllLevels, Dead: true),
        ]);
        await node.Node.Services.GetRequiredService<BackendHealthMonitor>().ProbeAllAsync(CancellationToken.None);

        using (var phi = await node.Http.SendAsync(node.Chat(node.Token(), "phi")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, phi.StatusCode);
        }

        var (restricted, restrictedBody) = await GetAsync(node, "/health/ready?classification=restricted");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, restricted);
        Assert.Equal("not_ready", restrictedBody.GetProperty("status").GetString());
        Assert.Equal("no healthy backend is cleared for restricted data", restrictedBody.GetProperty("reason").GetString());
        Assert.Equal(0, restrictedBody.GetProperty("ready_backends").GetProperty("restricted").GetInt32());
        Assert.Equal(1, restrictedBody.GetProperty("ready_backends").GetProperty("public").GetInt32());
        // The embedded ledger never becomes unreachable (issue 13's state stays "available" on LiteDB).
        Assert.True(restrictedBody.GetProperty("ledger_available").GetBoolean());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(node, "/health/ready?classification=phi")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(node, "/health/ready?classification=public")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(node, "/health/ready")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(node, "/health/live")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(node, "/health/ready?classification=secret-ish")).Status);

        var (health, healthBody) = await GetAsync(node, "/health");
        Assert.Equal(HttpStatusCode.OK, health);
        Assert.Equal("degraded", healthBody.GetProperty("status").GetString());
        var failing = healthBody.GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("healthy").GetBoolean())
            .Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("classification:restricted", failing);
        Assert.DoesNotContain("classification:public", failing);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("quantumedge_backends_ready{classification=\"restricted\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("quantumedge_backends_ready{classification=\"public\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("quantumedge_ledger_available 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_is_503_everywhere_while_no_backend_is_up()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gone", TestNode.AllLevels, Dead: true)]);
        await node.Node.Services.GetRequiredService<BackendHealthMonitor>().ProbeAllAsync(CancellationToken.None);
        var (status, body) = await GetAsync(node, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("no backend is healthy", body.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(node, "/health/live")).Status);
    }

    [Fact]
    public async Task A_ledger_stopped_by_a_storage_failure_is_named_as_that_not_as_tampering()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        await node.FailLedgerStorageAsync();

        var (status, body) = await GetAsync(node, "/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(body.GetProperty("ledger_writable").GetBoolean());
        var reason = body.GetProperty("reason").GetString()!;
        Assert.Contains("could not be made durable", reason, StringComparison.Ordinal);
        Assert.Contains("restarted", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("tampering", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key-from-a-file\n")]
    [InlineData("key\r\nX-Injected: 1")]
    [InlineData("кључ")]
    public async Task A_backend_whose_key_no_header_can_carry_is_unhealthy_from_the_start_naming_the_variable_and_the_node_still_starts(string key)
    {
        // A line break made the node's start-up throw FormatException naming neither the variable nor the backend.
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("keyed", TestNode.AllLevels, ApiKeyEnv: "KEYED_BACKEND_KEY"), new TestNode.Sim("open", TestNode.AllLevels)],
            environment: v => v == "KEYED_BACKEND_KEY" ? key : null);
        var (_, body) = await GetAsync(node, "/health");
        var check = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "backend:keyed");
        Assert.False(check.GetProperty("healthy").GetBoolean());
        var detail = check.GetProperty("detail").GetString()!;
        Assert.StartsWith("its api_key_env variable KEYED_BACKEND_KEY holds", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(key, detail, StringComparison.Ordinal);
        await node.Node.Services.GetRequiredService<BackendHealthMonitor>().ProbeAllAsync(CancellationToken.None);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("open", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
        Assert.Equal(0, node.Sims[0].Received);
    }

    [Fact]
    public async Task A_backend_whose_key_variable_is_unset_is_unhealthy_from_the_start_naming_the_variable()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("keyed", TestNode.AllLevels, ApiKeyEnv: "KEYED_BACKEND_KEY")],
            environment: _ => null);
        var (before, beforeBody) = await GetAsync(node, "/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before);
        var check = beforeBody.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "backend:keyed");
        Assert.False(check.GetProperty("healthy").GetBoolean());
        Assert.Equal("its api_key_env variable KEYED_BACKEND_KEY is not set", check.GetProperty("detail").GetString());

        // The simulated backend takes any key: a probe must not turn it healthy while the gateway has none to send.
        await node.Node.Services.GetRequiredService<BackendHealthMonitor>().ProbeAllAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(node, "/health")).Status);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, node.Sims[0].Received);
    }

    [Theory]
    [InlineData("/health/ready?classification=phi&classification=public", "classification", 2)]
    [InlineData("/privacy/budgets?user=alice&user=bob&user=carol", "user", 3)]
    [InlineData("/v1/batches?limit=1&limit=2", "limit", 2)]
    public async Task A_query_parameter_given_twice_is_refused_naming_it_rather_than_read_as_the_values_joined(string path, string name, int count)
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("open", TestNode.OpenLevels)]);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", node.Token(role: "admin", sub: "it.admin"));

        using var response = await node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal($"query parameter '{name}' is given {count} times; give it once", error.GetProperty("message").GetString());
        Assert.Equal(name, error.GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(node, "/health/ready?classification=public")).Status);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(TestNode node, string path)
    {
        using var response = await node.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.Clone());
    }
}
