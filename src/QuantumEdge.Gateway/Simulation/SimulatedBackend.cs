using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QuantumEdge.Gateway.Simulation;

/// <summary>
/// A simulated OpenAI-compatible LLM server (<c>quantumedge sim-backend</c>): deterministic text,
/// token usage, a load- and prefix-cache-aware latency model, SSE streaming, 429 past its
/// concurrency limit, and vLLM-style <c>/metrics</c>.
/// </summary>
public sealed class SimulatedBackend : IAsyncDisposable
{
    private readonly SimulatedBackendOptions _options;
    private readonly LatencyModel _latency;
    private readonly PrefixCache _cache = new();
    private readonly SemaphoreSlim _slots;
    private readonly WebApplication _app;
    private int _running;
    private int _waiting;
    private long _promptTokens;
    private long _generationTokens;
    private long _succeeded;
    private long _rejected;
    private long _prefixHits;
    private long _received;

    private SimulatedBackend(SimulatedBackendOptions options, string url)
    {
        _options = options;
        _latency = new LatencyModel(options.Profile, options.MaxConcurrency);
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        var builder = QuantumEdge.Gateway.Hosting.SlimHostDefaults.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        _app = builder.Build();
        _app.MapGet("/health", static ctx => ctx.Response.WriteAsync("ok"));
        _app.MapGet("/metrics", WriteMetrics);
        _app.MapGet("/v1/models", WriteModels);
        _app.MapPost("/v1/chat/completions", ctx => HandleAsync(ctx, Kind.Chat));
        _app.MapPost("/v1/completions", ctx => HandleAsync(ctx, Kind.Completion));
        _app.MapPost("/v1/embeddings", ctx => HandleAsync(ctx, Kind.Embedding));
    }

    private enum Kind
    {
        Chat,
        Completion,
        Embedding,
    }

    /// <summary>The address it listens on, e.g. <c>http://127.0.0.1:41234</c> (port 0 resolved).</summary>
    public string Address { get; private set; } = "";

    /// <summary>OpenAI base URL: <see cref="Address"/> + <c>/v1</c>.</summary>
    public string BaseUrl => Address + "/v1";

    public int Running => Volatile.Read(ref _running);
    public long PrefixHits => Interlocked.Read(ref _prefixHits);
    public long Succeeded => Interlocked.Read(ref _succeeded);
    /// <summary>Inference requests that reached this server at all, answered or not.</summary>
    public long Received => Interlocked.Read(ref _received);

    public static async Task<SimulatedBackend> StartAsync(SimulatedBackendOptions options, string url = "http://127.0.0.1:0", CancellationToken ct = default)
    {
        var sim = new SimulatedBackend(options, url);
        await sim._app.StartAsync(ct).ConfigureAwait(false);
        var addresses = sim._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        sim.Address = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return sim;
    }

    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _slots.Dispose();
    }

    private async Task HandleAsync(HttpContext ctx, Kind kind)
    {
        Interlocked.Increment(ref _received);
        if (_options.RequiredApiKey is { } key && ctx.Request.Headers.Authorization != $"Bearer {key}")
        {
            await ErrorAsync(ctx, 401, "invalid api key", "authentication_error", "invalid_api_key").ConfigureAwait(false);
            return;
        }

        if (_options.FailWithStatus is { } failure)
        {
            await ErrorAsync(ctx, failure, "simulated failure", "server_error", "simulated").ConfigureAwait(false);
            return;
        }

        SimRequest request;
        try
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted).ConfigureAwait(false);
            request = SimRequest.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), kind == Kind.Chat);
        }
        catch (JsonException e)
        {
            await ErrorAsync(ctx, 400, $"invalid JSON: {e.Message}", "invalid_request_error", "invalid_json").ConfigureAwait(false);
            return;
        }

        if (!_options.Models.Contains(request.Model))
        {
            await ErrorAsync(ctx, 404, $"model '{request.Model}' does not exist", "invalid_request_error", "model_not_found").ConfigureAwait(false);
            return;
        }

        if (!_slots.Wait(0))
        {
            if (Interlocked.Increment(ref _waiting) > _options.MaxWaiting)
            {
                Interlocked.Decrement(ref _waiting);
                Interlocked.Increment(ref _rejected);
                ctx.Response.Headers.RetryAfter = "1";
                await ErrorAsync(ctx, 429, "server is at its concurrency limit", "rate_limit_error", "rate_limit_exceeded").ConfigureAwait(false);
                return;
            }

            try
            {
                await _slots.WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        var running = Interlocked.Increment(ref _running);
        try
        {
            var promptHash = SimulatedText.Hash(request.Prompt);
            var promptTokens = SimulatedText.PromptTokens(request.Prompt.Length);
            var prefix = SimulatedText.Hash(request.Prompt.AsSpan(0, Math.Min(request.Prompt.Length, 256)));
            var hit = _cache.TouchAndCheck(prefix, DateTime.UtcNow.Ticks);
            if (hit)
            {
                Interlocked.Increment(ref _prefixHits);
            }

            Interlocked.Add(ref _promptTokens, promptTokens);
            await DelayAsync(_latency.TimeToFirstToken(promptTokens, running, hit), ctx.RequestAborted).ConfigureAwait(false);
            if (kind == Kind.Embedding)
            {
                await WriteEmbeddingAsync(ctx, request, promptHash, promptTokens).ConfigureAwait(false);
            }
            else if (request.Stream)
            {
                await StreamAsync(ctx, kind, request, promptHash, promptTokens).ConfigureAwait(false);
            }
            else
            {
                await CompleteAsync(ctx, kind, request, promptHash, promptTokens).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _succeeded);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _slots.Release();
        }
    }

    private async Task CompleteAsync(HttpContext ctx, Kind kind, SimRequest request, ulong promptHash, int promptTokens)
    {
        var n = SimulatedText.OutputTokens(promptHash, request.MaxTokens);
        var text = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            await DelayAsync(_latency.PerToken(Running), ctx.RequestAborted).ConfigureAwait(false);
            text.Append(SimulatedText.Token(promptHash, i));
        }

        Interlocked.Add(ref _generationTokens, n);
        var id = Id(kind, promptHash);
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", kind == Kind.Chat ? "chat.completion" : "text_completion");
            w.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            w.WriteString("model", request.Model);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            if (kind == Kind.Chat)
            {
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", text.ToString());
                w.WriteEndObject();
            }
            else
            {
                w.WriteString("text", text.ToString());
                w.WriteNull("logprobs");
            }

            w.WriteString("finish_reason", request.MaxTokens is { } max && n >= max ? "length" : "stop");
            w.WriteEndObject();
            w.WriteEndArray();
            WriteUsage(w, promptTokens, n);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext ctx, Kind kind, SimRequest request, ulong promptHash, int promptTokens)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var id = Id(kind, promptHash);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var n = SimulatedText.OutputTokens(promptHash, request.MaxTokens);
        var buffer = new ArrayBufferWriter<byte>(512);
        for (var i = 0; i <= n; i++)
        {
            if (i > 0)
            {
                await DelayAsync(_latency.PerToken(Running), ctx.RequestAborted).ConfigureAwait(false);
            }

            var last = i == n;
            var token = last ? "" : SimulatedText.Token(promptHash, i);
            await WriteEventAsync(ctx, buffer, w =>
            {
                WriteChunkHeader(w, id, kind, created, request.Model);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                if (kind == Kind.Chat)
                {
                    w.WriteStartObject("delta");
                    if (i == 0)
                    {
                        w.WriteString("role", "assistant");
                    }

                    if (!last)
                    {
                        w.WriteString("content", token);
                    }

                    w.WriteEndObject();
                }
                else
                {
                    w.WriteString("text", token);
                }

                if (last)
                {
                    w.WriteString("finish_reason", request.MaxTokens is { } max && n >= max ? "length" : "stop");
                }
                else
                {
                    w.WriteNull("finish_reason");
                }

                w.WriteEndObject();
                w.WriteEndArray();
                if (request.IncludeUsage)
                {
                    w.WriteNull("usage");
                }

                w.WriteEndObject();
            }).ConfigureAwait(false);
        }

        Interlocked.Add(ref _generationTokens, n);
        if (request.IncludeUsage)
        {
            await WriteEventAsync(ctx, buffer, w =>
            {
                WriteChunkHeader(w, id, kind, created, request.Model);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                WriteUsage(w, promptTokens, n);
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }

        await ctx.Response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteChunkHeader(Utf8JsonWriter w, string id, Kind kind, long created, string model)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", kind == Kind.Chat ? "chat.completion.chunk" : "text_completion");
        w.WriteNumber("created", created);
        w.WriteString("model", model);
    }

    private static Task WriteEmbeddingAsync(HttpContext ctx, SimRequest request, ulong promptHash, int promptTokens) =>
        WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("object", "embedding");
            w.WriteNumber("index", 0);
            w.WriteStartArray("embedding");
            var x = promptHash | 1;
            for (var i = 0; i < 64; i++)
            {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w.WriteNumberValue(Math.Round(((x % 2000) / 1000.0) - 1, 4));
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("model", request.Model);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", promptTokens);
            w.WriteNumber("total_tokens", promptTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private static void WriteUsage(Utf8JsonWriter w, int prompt, int completion)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", prompt);
        w.WriteNumber("completion_tokens", completion);
        w.WriteNumber("total_tokens", prompt + completion);
        w.WriteEndObject();
    }

    private static async Task WriteEventAsync(HttpContext ctx, ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        buffer.ResetWrittenCount();
        buffer.Write("data: "u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        buffer.Write("\n\n"u8);
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = buffer.WrittenCount;
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpContext ctx, int status, string message, string type, string code) =>
        WriteJsonAsync(ctx, status, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteNull("param");
            w.WriteString("code", code);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private Task WriteModels(HttpContext ctx) => WriteJsonAsync(ctx, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var m in _options.Models)
        {
            w.WriteStartObject();
            w.WriteString("id", m);
            w.WriteString("object", "model");
            w.WriteNumber("created", 1_700_000_000);
            w.WriteString("owned_by", _options.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private async Task WriteMetrics(HttpContext ctx)
    {
        var style = _options.Profile.MetricsStyle;
        if (style == "none")
        {
            ctx.Response.StatusCode = 404;
            return;
        }

        var model = _options.Models[0];
        var labels = $"{{model_name=\"{model}\"}}";
        var sb = new StringBuilder();
        void Line(string help, string type, string name, double value)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            sb.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        var kv = Math.Min(1.0, (_cache.Usage * 0.5) + ((double)Running / _options.MaxConcurrency * 0.5));
        if (style == "vllm")
        {
            Line("Number of requests currently running on GPU.", "gauge", "vllm:num_requests_running", Running);
            Line("Number of requests waiting to be processed.", "gauge", "vllm:num_requests_waiting", Volatile.Read(ref _waiting));
            Line("KV-cache usage. 1 means 100 percent usage.", "gauge", "vllm:kv_cache_usage_perc", kv);
            Line("Number of prefill tokens processed.", "counter", "vllm:prompt_tokens_total", Interlocked.Read(ref _promptTokens));
            Line("Number of generation tokens processed.", "counter", "vllm:generation_tokens_total", Interlocked.Read(ref _generationTokens));
            Line("Count of successfully processed requests.", "counter", "vllm:request_success_total", Succeeded);
            Line("Prefix cache hits, in requests.", "counter", "vllm:prefix_cache_hits_total", PrefixHits);
        }
        else
        {
            Line("Number of requests processing.", "gauge", "llamacpp:requests_processing", Running);
            Line("Number of requests deferred.", "gauge", "llamacpp:requests_deferred", Volatile.Read(ref _waiting));
            Line("KV-cache usage. 1 means 100 percent usage.", "gauge", "llamacpp:kv_cache_usage_ratio", kv);
            Line("Number of prompt tokens processed.", "counter", "llamacpp:prompt_tokens_total", Interlocked.Read(ref _promptTokens));
            Line("Number of generation tokens processed.", "counter", "llamacpp:tokens_predicted_total", Interlocked.Read(ref _generationTokens));
        }

        ctx.Response.ContentType = "text/plain; version=0.0.4";
        await ctx.Response.WriteAsync(sb.ToString(), ctx.RequestAborted).ConfigureAwait(false);
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        var scaled = delay * _options.TimeScale;
        return scaled <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(scaled, ct);
    }

    private static string Id(Kind kind, ulong hash) =>
        (kind == Kind.Chat ? "chatcmpl-" : "cmpl-") + hash.ToString("x16", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..8];
}
