using System.Net;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Retries, fallbacks, timeouts, backend credentials and streaming behaviour, end to end.</summary>
public sealed class RoutingTests
{
    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Failing_backend_is_retried_on_another_permitted_one(int failure)
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("broken", TestNode.AllLevels, new SimulatedBackendOptions { Name = "broken", TimeScale = 0, FailWithStatus = failure }),
            new TestNode.Sim("good", TestNode.AllLevels),
        ]);
        for (var i = 0; i < 4; i++)
        {
            using var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("good", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
        }

        Assert.Equal(4, node.Sims[1].Succeeded);
    }

    [Fact]
    public async Task Retry_never_falls_back_to_a_backend_not_cleared_for_the_data()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("secure-but-down", TestNode.AllLevels, new SimulatedBackendOptions { Name = "s", TimeScale = 0, FailWithStatus = 500 }),
            new TestNode.Sim("open", TestNode.OpenLevels),
        ]);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var (message, _, _) = await ErrorShape.ReadAsync(response);
        Assert.Contains("secure-but-down", message, StringComparison.Ordinal);
        Assert.Equal(0, node.Sims[1].Received);
        Assert.True(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Unreachable_backend_is_skipped()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("dead", TestNode.AllLevels, Dead: true),
            new TestNode.Sim("alive", TestNode.AllLevels),
        ]);
        for (var i = 0; i < 3; i++)
        {
            using var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("alive", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
        }
    }

    [Fact]
    public async Task Slow_backend_times_out_with_504()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("slow", TestNode.AllLevels, new SimulatedBackendOptions { Name = "slow", TimeScale = 50 }, TimeoutSeconds: 0.3),
        ]);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("backend_timeout", code);
        Assert.Contains("slow", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backend_gets_its_own_key_never_the_callers_token()
    {
        const string key = "sk-backend-secret";
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("keyed", TestNode.AllLevels, new SimulatedBackendOptions { Name = "keyed", TimeScale = 0, RequiredApiKey = key }, ApiKeyEnv: "KEYED_API_KEY")],
            environment: name => name == "KEYED_API_KEY" ? key : null);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Backend_without_its_key_refuses_and_the_callers_token_is_not_a_substitute()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("keyed", TestNode.AllLevels, new SimulatedBackendOptions { Name = "keyed", TimeScale = 0, RequiredApiKey = "sk-backend" })]);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
        // The backend refused (proving the caller's JWT was not forwarded as the key), and the gateway
        // answers for its own missing key: 502 naming the backend, never the caller's invalid_api_key.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("backend_auth_failed", code);
        Assert.Contains("backend 'keyed' refused the gateway's credentials (HTTP 401)", message, StringComparison.Ordinal);
        Assert.Equal(1, node.Sims[0].Received);
    }

    [Fact]
    public async Task Streamed_chunks_reach_the_client_while_the_backend_is_still_generating()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("streamer", TestNode.AllLevels, new SimulatedBackendOptions { Name = "streamer", TimeScale = 5 })]);
        using var request = node.Chat(node.Token(), "phi", stream: true);
        using var response = await node.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);
        var first = await reader.ReadLineAsync();
        Assert.StartsWith("data: {", first, StringComparison.Ordinal);
        // The backend is still decoding (each token takes 60 ms here): the gateway did not wait for the end.
        Assert.Equal(1, node.Sims[0].Running);
        var rest = await reader.ReadToEndAsync();
        Assert.EndsWith("data: [DONE]", rest.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"usage\":{", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_chunk_is_forwarded_only_when_the_client_asks()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("s", TestNode.AllLevels)]);
        const string body = """{"model":"clinical-7b","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}""";
        using var response = await node.Http.SendAsync(TestNode.Raw("/v1/chat/completions", body, node.Token(), "phi"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"usage\":{\"prompt_tokens\":", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Least_loaded_routing_spreads_concurrent_load()
    {
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("b1", TestNode.AllLevels, new SimulatedBackendOptions { Name = "b1", TimeScale = 1 }),
            new TestNode.Sim("b2", TestNode.AllLevels, new SimulatedBackendOptions { Name = "b2", TimeScale = 1 }),
        ]);
        var tasks = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
            return response.Headers.GetValues("X-QuantumEdge-Backend").Single();
        });
        var used = await Task.WhenAll(tasks);
        Assert.Contains("b1", used);
        Assert.Contains("b2", used);
    }

    [Fact]
    public async Task Repeatedly_failing_backend_opens_its_circuit_and_is_not_called_while_open()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("flaky", TestNode.AllLevels, new SimulatedBackendOptions { Name = "flaky", TimeScale = 0, FailWithStatus = 502 })]);
        var flaky = node.Node.Backends.All.Single();
        for (var i = 0; i < 20 && !flaky.CircuitOpen; i++)
        {
            using var r = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        }

        Assert.True(flaky.CircuitOpen, "the circuit never opened");
        var hitsWhenOpened = node.Sims[0].Received;
        for (var i = 0; i < 5; i++)
        {
            using var r = await node.Http.SendAsync(node.Chat(node.Token(), "phi"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        }

        Assert.Equal(hitsWhenOpened, node.Sims[0].Received);
        using var health = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("circuit open", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
