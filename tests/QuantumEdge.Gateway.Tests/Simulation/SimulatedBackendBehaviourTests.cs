using System.Net;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Simulation;
using static QuantumEdge.Gateway.Tests.Simulation.SimulatedBackendClient;

namespace QuantumEdge.Gateway.Tests.Simulation;

/// <summary>Behaviour that needs its own server: limits, failure drills, keys, the prefix cache, profiles.</summary>
public sealed class SimulatedBackendBehaviourTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private static void WaitUntil(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, Patience), $"timed out waiting until {what}");

    private async Task<BackendLoad> LoadAsync(SimulatedBackend sim) =>
        VllmMetricsParser.Parse(await _http.GetStringAsync(sim.Address + "/metrics"), DateTimeOffset.UtcNow);

    [Fact]
    public async Task Past_max_concurrency_with_no_queue_it_answers_429()
    {
        // Slowed down a thousandfold so the first request is certainly still running when the second arrives.
        await using var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { MaxConcurrency = 1, TimeScale = 1000 });
        using var cancelFirst = new CancellationTokenSource();
        var first = PostAsync(_http, sim.BaseUrl + "/chat/completions", Chat("a long running request", extra: ""","max_tokens":64"""), ct: cancelFirst.Token);
        WaitUntil(() => sim.Running == 1, "the first request runs");

        var (status, body, response) = await PostAsync(_http, sim.BaseUrl + "/chat/completions", Chat("one too many"));

        Assert.Equal((HttpStatusCode)429, status);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        var error = Json(body)["error"]!;
        Assert.Equal("rate_limit_exceeded", error["code"]!.GetValue<string>());
        Assert.Equal("rate_limit_error", error["type"]!.GetValue<string>());
        Assert.Equal(1, (await LoadAsync(sim)).Running);

        await cancelFirst.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        WaitUntil(() => sim.Running == 0, "the cancelled request leaves");
        Assert.Equal(0, sim.Succeeded);
        Assert.Equal(2, sim.Received);
    }

    [Fact]
    public async Task Requests_past_max_concurrency_queue_up_to_max_waiting_and_the_rest_get_429()
    {
        await using var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { MaxConcurrency = 1, MaxWaiting = 1, TimeScale = 1000 });
        using var cancel = new CancellationTokenSource();
        var running = PostAsync(_http, sim.BaseUrl + "/chat/completions", Chat("first"), ct: cancel.Token);
        WaitUntil(() => sim.Running == 1, "the first request runs");
        var queued = PostAsync(_http, sim.BaseUrl + "/chat/completions", Chat("second"), ct: cancel.Token);
        WaitUntil(() => sim.Received == 2, "the second request arrives");
        BackendLoad load = default;
        for (var i = 0; i < 1000 && load.Waiting < 1; i++)
        {
            load = await LoadAsync(sim);
        }

        Assert.Equal(new BackendLoad(1, 1, load.KvCacheUsage, load.ReadAt), load);

        var (status, _, _) = await PostAsync(_http, sim.BaseUrl + "/chat/completions", Chat("third"));

        Assert.Equal((HttpStatusCode)429, status);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        WaitUntil(() => sim.Running == 0, "the cancelled requests leave");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task FailWithStatus_answers_every_inference_request_with_that_status(int failure)
    {
        await using var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { TimeScale = 0, FailWithStatus = failure });

        var (status, body, _) = await PostAsync(_http, sim.BaseUrl + "/chat/completions", Chat("hello"));
        var (streamStatus, _, _) = await PostAsync(_http, sim.BaseUrl + "/chat/completions", Chat("hello", extra: ""","stream":true"""));
        var models = await _http.GetAsync(sim.BaseUrl + "/models");

        Assert.Equal(failure, (int)status);
        Assert.Equal(failure, (int)streamStatus);
        Assert.Equal("simulated", Json(body)["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal(2, sim.Received);
        Assert.Equal(0, sim.Succeeded);
    }

    [Fact]
    public async Task RequiredApiKey_refuses_callers_without_the_key()
    {
        await using var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { TimeScale = 0, RequiredApiKey = "sk-hospital-42" });
        var url = sim.BaseUrl + "/chat/completions";

        var (none, noneBody, _) = await PostAsync(_http, url, Chat("hello"));
        var (wrong, _, _) = await PostAsync(_http, url, Chat("hello"), apiKey: "sk-hospital-43");
        var (right, _, _) = await PostAsync(_http, url, Chat("hello"), apiKey: "sk-hospital-42");

        Assert.Equal(HttpStatusCode.Unauthorized, none);
        Assert.Equal("invalid_api_key", Json(noneBody)["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal(HttpStatusCode.OK, right);
        Assert.Equal(1, sim.Succeeded);
    }

    [Fact]
    public async Task A_repeated_prompt_prefix_is_a_prefix_cache_hit()
    {
        await using var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { TimeScale = 0 });
        var url = sim.BaseUrl + "/chat/completions";
        var sharedPrefix = "You are a clinical assistant at St Mary's. Answer briefly and cite the ward protocol. " + new string('.', 200);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_http, url, Chat(sharedPrefix + "Question one?"))).Status);
        Assert.Equal(0, sim.PrefixHits);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_http, url, Chat(sharedPrefix + "Question two?"))).Status);
        Assert.Equal(1, sim.PrefixHits);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_http, url, Chat("An unrelated short prompt"))).Status);
        Assert.Equal(1, sim.PrefixHits);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_http, url, Chat(sharedPrefix + "Question three?"))).Status);
        Assert.Equal(2, sim.PrefixHits);

        var metrics = await _http.GetStringAsync(sim.Address + "/metrics");
        Assert.Contains("vllm:prefix_cache_hits_total{model_name=\"clinical-7b\"} 2\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_llamacpp_profile_publishes_llamacpp_metrics_and_ollama_none()
    {
        await using var llama = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { TimeScale = 0, Profile = SimulationProfile.Parse("llama.cpp") });
        await using var ollama = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { TimeScale = 0, Profile = SimulationProfile.Parse("ollama") });

        var text = await _http.GetStringAsync(llama.Address + "/metrics");
        var none = await _http.GetAsync(ollama.Address + "/metrics");

        Assert.Contains("llamacpp:requests_processing", text, StringComparison.Ordinal);
        Assert.Contains("llamacpp:kv_cache_usage_ratio", text, StringComparison.Ordinal);
        Assert.DoesNotContain("vllm:", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Throws<ArgumentException>(() => SimulationProfile.Parse("tgi"));
    }
}
