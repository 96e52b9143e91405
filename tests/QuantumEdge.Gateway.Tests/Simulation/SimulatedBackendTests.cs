using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Simulation;
using static QuantumEdge.Gateway.Tests.Simulation.SimulatedBackendClient;

namespace QuantumEdge.Gateway.Tests.Simulation;

public sealed class SimulatedBackendTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private SimulatedBackend _sim = null!;

    private string ChatUrl => _sim.BaseUrl + "/chat/completions";

    public async Task InitializeAsync() =>
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Models = ["clinical-7b", "clinical-70b"], TimeScale = 0 });

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private async Task<JsonObject> ChatAsync(string content, string extra = "")
    {
        var (status, body, _) = await PostAsync(_http, ChatUrl, Chat(content, extra: extra));
        Assert.Equal(HttpStatusCode.OK, status);
        return Json(body);
    }

    [Fact]
    public async Task It_listens_on_a_resolved_loopback_port()
    {
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", _sim.Address);
        Assert.DoesNotMatch(":0$", _sim.Address);
        Assert.Equal(_sim.Address + "/v1", _sim.BaseUrl);
        Assert.Equal("ok", await _http.GetStringAsync(_sim.Address + "/health"));
    }

    [Fact]
    public async Task Models_lists_the_configured_models()
    {
        var list = Json(await _http.GetStringAsync(_sim.BaseUrl + "/models"));

        Assert.Equal("list", list["object"]!.GetValue<string>());
        Assert.Equal(["clinical-7b", "clinical-70b"], list["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()));
        Assert.All(list["data"]!.AsArray(), m => Assert.Equal("model", m!["object"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_chat_completion_carries_text_and_usage()
    {
        const string content = "Summarise: 54-year-old, chest pain resolved, troponin negative.";

        var answer = await ChatAsync(content);

        Assert.Equal("chat.completion", answer["object"]!.GetValue<string>());
        Assert.Equal("clinical-7b", answer["model"]!.GetValue<string>());
        Assert.StartsWith("chatcmpl-", answer["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var choice = answer["choices"]![0]!;
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        var text = choice["message"]!["content"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
        var usage = answer["usage"]!;
        var prompt = usage["prompt_tokens"]!.GetValue<int>();
        var completion = usage["completion_tokens"]!.GetValue<int>();
        Assert.Equal(SimulatedText.PromptTokens(content.Length + 1), prompt);
        Assert.Equal(text.Split(' ').Length, completion);
        Assert.InRange(completion, 16, 63);
        Assert.Equal(prompt + completion, usage["total_tokens"]!.GetValue<int>());
        Assert.Equal(1, _sim.Succeeded);
    }

    [Fact]
    public async Task The_same_prompt_always_gets_the_same_text()
    {
        var first = (await ChatAsync("What is the dose of amoxicillin for otitis media?"))["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        var second = (await ChatAsync("What is the dose of amoxicillin for otitis media?"))["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        var other = (await ChatAsync("List contraindications for MRI."))["choices"]![0]!["message"]!["content"]!.GetValue<string>();

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Max_tokens_bounds_the_answer_and_ends_it_with_length()
    {
        var answer = await ChatAsync("Write a long discharge summary.", ""","max_tokens":3""");

        Assert.Equal(3, answer["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(3, answer["choices"]![0]!["message"]!["content"]!.GetValue<string>().Split(' ').Length);
        Assert.Equal("length", answer["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stream_without_include_usage_has_no_usage_and_ends_with_done()
    {
        const string content = "Explain the triage categories.";
        var (status, body, response) = await PostAsync(_http, ChatUrl, Chat(content, extra: ""","stream":true"""));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var data = SseData(body);
        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(Json).ToList();
        Assert.All(chunks, c => Assert.False(c.ContainsKey("usage")));
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());

        var streamed = string.Concat(chunks.Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>()));
        var whole = (await ChatAsync(content))["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Equal(whole, streamed);
    }

    [Fact]
    public async Task A_stream_with_include_usage_ends_with_a_usage_chunk_then_done()
    {
        var (status, body, _) = await PostAsync(_http, ChatUrl, Chat("Explain the triage categories.", extra: ""","stream":true,"stream_options":{"include_usage":true}"""));

        Assert.Equal(HttpStatusCode.OK, status);
        var data = SseData(body);
        Assert.Equal("[DONE]", data[^1]);
        var usageChunk = Json(data[^2]);
        Assert.Empty(usageChunk["choices"]!.AsArray());
        var contentChunks = data[..^2].Select(Json).ToList();
        Assert.All(contentChunks, c => Assert.Null(c["usage"]));
        Assert.All(contentChunks, c => Assert.True(c.ContainsKey("usage")));
        var tokens = contentChunks.Count(c => c["choices"]![0]!["delta"]!["content"] is not null);
        Assert.Equal(tokens, usageChunk["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.True(TokenUsage.TryRead(Encoding.UTF8.GetBytes(data[^2]), out var usage));
        Assert.Equal(tokens, usage.CompletionTokens);
    }

    [Fact]
    public async Task Its_stream_relayed_for_a_client_that_did_not_ask_for_usage_is_metered_and_stripped()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl)
        {
            Content = new StringContent(Chat("Relay me.", extra: ""","stream":true,"stream_options":{"include_usage":true}"""), Encoding.UTF8, "application/json"),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var upstream = await response.Content.ReadAsStreamAsync();
        using var client = new MemoryStream();

        var result = await SseRelay.RelayAsync(upstream, client, false, TimeSpan.FromSeconds(30), CancellationToken.None);

        var relayed = SseData(Encoding.UTF8.GetString(client.ToArray()));
        Assert.Equal("[DONE]", relayed[^1]);
        Assert.All(relayed[..^1], d => Assert.Null(Json(d)["usage"]));
        Assert.NotNull(result.Usage);
        // Every chunk but the closing one (finish_reason, no text) and [DONE] carries one token.
        Assert.Equal(relayed.Count - 2, result.Usage.Value.CompletionTokens);
        Assert.Equal(relayed.Count, result.Events);
    }

    [Fact]
    public async Task Completions_and_embeddings_answer_in_openai_shape()
    {
        var (status, body, _) = await PostAsync(_http, _sim.BaseUrl + "/completions", """{"model":"clinical-70b","prompt":"Assessment:","max_tokens":5}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var completion = Json(body);
        Assert.Equal("text_completion", completion["object"]!.GetValue<string>());
        Assert.Equal(5, completion["choices"]![0]!["text"]!.GetValue<string>().Split(' ').Length);
        Assert.Equal(5, completion["usage"]!["completion_tokens"]!.GetValue<int>());

        (status, body, _) = await PostAsync(_http, _sim.BaseUrl + "/embeddings", """{"model":"clinical-7b","input":"chest pain"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var embedding = Json(body);
        var vector = embedding["data"]![0]!["embedding"]!.AsArray();
        Assert.Equal(64, vector.Count);
        Assert.All(vector, v => Assert.InRange(v!.GetValue<double>(), -1, 1));
        Assert.Equal(SimulatedText.PromptTokens("chest pain".Length), embedding["usage"]!["prompt_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_model_is_404_and_bad_json_is_400_in_openai_error_shape()
    {
        var (status, body, _) = await PostAsync(_http, ChatUrl, Chat("hi", model: "gpt-4o"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("model_not_found", Json(body)["error"]!["code"]!.GetValue<string>());

        (status, body, _) = await PostAsync(_http, ChatUrl, "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Json(body)["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.True(error.AsObject().ContainsKey("param"));
        Assert.Equal(0, _sim.Succeeded);
        Assert.Equal(2, _sim.Received);
    }

    [Fact]
    public async Task Metrics_publish_the_vllm_gauges_the_router_reads()
    {
        await ChatAsync("warm up");

        var text = await _http.GetStringAsync(_sim.Address + "/metrics");

        foreach (var name in new[] { "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:prompt_tokens_total", "vllm:generation_tokens_total", "vllm:request_success_total" })
        {
            Assert.Contains($"# TYPE {name} ", text, StringComparison.Ordinal);
            Assert.Contains($"{name}{{model_name=\"clinical-7b\"}} ", text, StringComparison.Ordinal);
        }

        Assert.Contains("vllm:request_success_total{model_name=\"clinical-7b\"} 1\n", text, StringComparison.Ordinal);
        var load = VllmMetricsParser.Parse(text, DateTimeOffset.UtcNow);
        Assert.Equal(0, load.Running);
        Assert.Equal(0, load.Waiting);
        Assert.InRange(load.KvCacheUsage, 0, 1);
    }
}
