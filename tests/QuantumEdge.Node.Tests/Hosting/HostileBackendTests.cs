using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Backends that hang, stream forever, break off or lie: the node stays bounded, shifts traffic and says what happened.</summary>
public sealed class HostileBackendTests
{
    private static NodeConfiguration LeastLoaded(NodeConfiguration c) => c with { QuantumPlanning = c.QuantumPlanning with { Router = "least_loaded" } };

    private static async Task<HttpStatusCode> HealthOfAsync(TestNode node, string backend, Action<JsonElement> check)
    {
        using var health = await node.Http.GetAsync("/health");
        using var doc = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        check(doc.RootElement);
        var entry = doc.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "backend:" + backend);
        Assert.False(entry.GetProperty("healthy").GetBoolean());
        return health.StatusCode;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_backend_that_hangs_on_completions_loses_its_traffic_to_a_good_one(bool afterHeaders)
    {
        // GET /models answers, so the health probe alone would never notice.
        await using var hung = await HostileBackend.StartAsync(async (ctx, _) =>
        {
            if (afterHeaders)
            {
                ctx.Response.ContentType = "text/event-stream";
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }

            await HostileBackend.HangAsync(ctx);
        });
        // Listed first and tied on load: the least-loaded planner tries it first.
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("hung", TestNode.AllLevels, TimeoutSeconds: 0.5, Url: hung.BaseUrl),
            new TestNode.Sim("good", TestNode.AllLevels),
        ], configure: LeastLoaded);

        for (var i = 0; i < 6; i++)
        {
            using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public", stream: afterHeaders));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("good", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
            await response.Content.ReadAsStringAsync();
        }

        // The timeout was retried elsewhere and opened the hung backend's circuit: it got one request, not six.
        Assert.Equal(1, hung.Completions);
        Assert.Equal(6, node.Sims[0].Succeeded);
        var kind = afterHeaders ? "idle_timeout" : "timeout";
        Assert.Equal(1, node.Node.Metrics.BackendErrors.WithLabels("hung", kind).Value);
        var status = await HealthOfAsync(node, "hung", root => Assert.Equal("degraded", root.GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_backends_redirect_is_not_followed_so_the_prompt_goes_nowhere_else()
    {
        await using var elsewhere = await HostileBackend.StartAsync((ctx, _) =>
        {
            ctx.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        await using var redirector = await HostileBackend.StartAsync((ctx, _) =>
        {
            ctx.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            ctx.Response.Headers.Location = new Uri(elsewhere.BaseUrl, "chat/completions").ToString();
            return Task.CompletedTask;
        });
        await using var node = await TestNode.StartAsync([new TestNode.Sim("redirector", TestNode.AllLevels, Url: redirector.BaseUrl)]);
        // A client that does not follow redirects itself, so that only the gateway could have.
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(node.Node.ApiAddress) };

        using var response = await client.SendAsync(node.Chat(node.Token(), "public"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(1, redirector.Completions);
        Assert.Equal(0, elsewhere.Completions);
    }

    [Fact]
    public async Task A_backends_redirect_with_a_body_is_relayed_but_not_charged()
    {
        await using var redirector = await HostileBackend.StartAsync((ctx, _) =>
        {
            ctx.Response.StatusCode = StatusCodes.Status302Found;
            ctx.Response.ContentType = "application/json";
            return ctx.Response.WriteAsync("{}");
        });
        await using var node = await TestNode.StartAsync([new TestNode.Sim("redirector", TestNode.AllLevels, Url: redirector.BaseUrl)]);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(node.Node.ApiAddress) };
        var token = node.Token(sub: "dr.redirected", department: "icu");

        using var response = await client.SendAsync(node.Chat(token, "phi"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        // Bytes reached the caller, but no completion did: the charge is released.
        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "refunded");
        Assert.Contains(records, r => r.Entry.Decision == "failed" && r.Entry.HttpStatus == 302 && r.Entry.EpsilonCharged == 0);
        Assert.Equal(0, (await node.Node.Ledger.GetBudgetAsync("dr.redirected", "icu")).Spent);
    }

    [Fact]
    public async Task A_single_hung_backend_still_answers_504_naming_it()
    {
        await using var hung = await HostileBackend.StartAsync((ctx, _) => HostileBackend.HangAsync(ctx));
        await using var node = await TestNode.StartAsync([new TestNode.Sim("hung", TestNode.AllLevels, TimeoutSeconds: 0.3, Url: hung.BaseUrl)]);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("backend_timeout", code);
        Assert.Contains("hung", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endless_models_body_fails_the_probe_at_its_cap()
    {
        await using var endless = new EndlessBodyServer("/models", Enumerable.Repeat((byte)'[', 64 * 1024).ToArray());
        await using var node = await TestNode.StartAsync([new TestNode.Sim("endless", TestNode.AllLevels, Url: endless.BaseUrl)]);

        await node.Node.Services.GetRequiredService<BackendHealthMonitor>().ProbeAllAsync(CancellationToken.None);

        var backend = node.Node.Backends.All.Single();
        Assert.False(backend.Healthy);
        Assert.Contains($"exceeds {BackendHealthMonitor.MaxModelsBytes} bytes", backend.HealthDetail, StringComparison.Ordinal);
        Assert.True(node.Node.Metrics.BackendErrors.WithLabels("endless", "probe_oversized").Value >= 1);
        // Two probes (start-up and this one) at 1 MiB each, plus what sat in socket buffers; unbounded, it would be gigabytes.
        Assert.True(endless.BytesWritten < 32L * 1024 * 1024, $"the backend got {endless.BytesWritten} bytes out");
    }

    [Fact]
    public async Task An_endless_metrics_page_is_ignored_at_its_cap()
    {
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("vllm:num_requests_running 1\n", 2048)));
        await using var endless = new EndlessBodyServer("/metrics", chunk);
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("endless", TestNode.AllLevels, Url: endless.BaseUrl, MetricsUrl: new Uri(endless.BaseUrl, "/metrics"))]);

        await node.Node.Services.GetRequiredService<BackendHealthMonitor>().ProbeAllAsync(CancellationToken.None);

        var backend = node.Node.Backends.All.Single();
        Assert.True(backend.Healthy);
        Assert.Null(backend.ExternalLoad);
        Assert.True(node.Node.Metrics.BackendErrors.WithLabels("endless", "metrics_oversized").Value >= 1);
        Assert.True(endless.BytesWritten < 32L * 1024 * 1024, $"the backend got {endless.BytesWritten} bytes out");
    }

    private static byte[] Chunk(string deltaJson) => Encoding.UTF8.GetBytes(
        $$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"clinical-7b","choices":[{"index":0,"delta":{{deltaJson}},"finish_reason":null}]}""" + "\n\n");

    /// <summary>200 and two chunks, then (once the test has seen them reach its client) the way the backend fails.</summary>
    /// <param name="textKey">How the backend spells the text's key (a JSON escape reads the same to the client).</param>
    private static Func<HttpContext, HostileBackend, Task> TwoChunksThen(string failure, Task seen, bool text = true, string textKey = "content") => async (ctx, b) =>
    {
        ctx.Response.ContentType = "text/event-stream";
        await b.WriteAsync(ctx, Chunk(text ? $$"""{"role":"assistant","{{textKey}}":"Patient"}""" : """{"role":"assistant","content":""}"""));
        await b.WriteAsync(ctx, Chunk(text ? $$"""{"{{textKey}}":" is stable"}""" : """{}"""));
        // A reset can overtake data still in flight; failing only after the chunks arrived makes the test exact.
        await seen;
        switch (failure)
        {
            case "abort":
                ctx.Abort();
                break;
            case "stall":
                await HostileBackend.HangAsync(ctx);
                break;
            case "oversized":
                await b.WriteEndlesslyAsync(ctx, Enumerable.Repeat((byte)'x', 64 * 1024).ToArray(), 4L * 1024 * 1024);
                break;
            case "malformed":
                // A proxy's error page spliced into the stream: the SDKs' JSON parser would throw on it.
                await b.WriteAsync(ctx, "data: <html>502 Bad Gateway</html>\n\n"u8.ToArray());
                await b.WriteAsync(ctx, Chunk("""{"content":" after the break"}"""));
                break;
            default:
                // A clean end of the HTTP body, but no "data: [DONE]": the stream was cut short.
                break;
        }
    };

    [Theory]
    [InlineData("abort", "upstream_aborted", 502, "backend_aborted")]
    [InlineData("close", "upstream_aborted", 502, "backend_aborted")]
    [InlineData("stall", "idle_timeout", 504, "backend_idle_timeout")]
    [InlineData("oversized", "too_large", 502, "backend_too_large")]
    [InlineData("malformed", "malformed_event", 502, "backend_malformed_event")]
    public async Task A_stream_the_backend_breaks_off_ends_with_an_error_event_and_is_audited_as_it_was(string failure, string kind, int status, string code)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broken = await HostileBackend.StartAsync(TwoChunksThen(failure, seen.Task));
        await using var node = await TestNode.StartAsync([new TestNode.Sim("broken", TestNode.AllLevels, TimeoutSeconds: 0.5, Url: broken.BaseUrl)]);
        var token = node.Token(sub: "dr.stream", department: "icu");

        using var response = await node.Http.SendAsync(node.Chat(token, "phi", stream: true), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        while (lines.Count < 4)
        {
            lines.Add(await reader.ReadLineAsync() ?? throw new InvalidOperationException("the stream ended before the two chunks"));
        }

        seen.SetResult();
        // The client reads to a clean end: no reset, and the last event is an OpenAI error the SDKs raise.
        var body = string.Join("\n", lines) + "\n" + await reader.ReadToEndAsync();
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, events.Length);
        Assert.Contains("Patient", events[0], StringComparison.Ordinal);
        Assert.StartsWith("data: {\"error\":", events[2], StringComparison.Ordinal);
        using (var error = JsonDocument.Parse(events[2]["data: ".Length..]))
        {
            Assert.Equal(code, error.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("broken", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision.StartsWith("failed", StringComparison.Ordinal));
        var outcome = records.Single(r => r.Entry.Decision.StartsWith("failed", StringComparison.Ordinal)).Entry;
        Assert.Equal("failed:" + kind, outcome.Decision);
        Assert.Equal(status, outcome.HttpStatus);
        // Text reached the caller: the privacy charge stays.
        Assert.DoesNotContain(records, r => r.Entry.Decision == "refunded");
        Assert.True((await node.Node.Ledger.GetBudgetAsync("dr.stream", "icu")).Spent > 0);
    }

    [Fact]
    public async Task A_stream_whose_first_event_is_not_json_is_retried_on_another_backend_and_the_client_never_sees_it()
    {
        await using var liar = await HostileBackend.StartAsync(async (ctx, b) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await b.WriteAsync(ctx, "data: upstream connect error or disconnect/reset before headers\n\n"u8.ToArray());
        });
        // Listed first and tied on load: the least-loaded planner tries it first.
        await using var node = await TestNode.StartAsync(
        [
            new TestNode.Sim("liar", TestNode.AllLevels, Url: liar.BaseUrl),
            new TestNode.Sim("good", TestNode.AllLevels),
        ], configure: LeastLoaded);

        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public", stream: true));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("good", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
        Assert.DoesNotContain("upstream connect error", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]", body.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(1, liar.Completions);
        Assert.Equal(1, node.Node.Metrics.BackendErrors.WithLabels("liar", "malformed_event").Value);
    }

    [Fact]
    public async Task A_stream_that_never_ends_is_cut_at_the_backends_answer_time_limit_with_an_error_event_and_audited_as_such()
    {
        await using var endless = await HostileBackend.StartAsync(async (ctx, b) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            // Never silent for long, never done: only a limit on the whole answer ends it.
            try
            {
                while (await b.WriteAsync(ctx, Chunk("""{"content":" and so on"}""")))
                {
                    await Task.Delay(100, ctx.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                // The node cut it off.
            }
        });
        await using var node = await TestNode.StartAsync([new TestNode.Sim("endless", TestNode.AllLevels, TimeoutSeconds: 3, Url: endless.BaseUrl, MaxAnswerSeconds: 3)]);
        var token = node.Token(sub: "dr.endless", department: "icu");

        using var response = await node.Http.SendAsync(node.Chat(token, "phi", stream: true), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var last = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("data: {\"error\":", last, StringComparison.Ordinal);
        using (var error = JsonDocument.Parse(last["data: ".Length..]))
        {
            Assert.Equal("backend_answer_time_limit", error.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("max_answer_seconds", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision.StartsWith("failed", StringComparison.Ordinal));
        var outcome = records.Single(r => r.Entry.Decision.StartsWith("failed", StringComparison.Ordinal)).Entry;
        Assert.Equal("failed:answer_time_limit", outcome.Decision);
        Assert.Equal(504, outcome.HttpStatus);
        Assert.Equal(1, node.Node.Metrics.BackendErrors.WithLabels("endless", "answer_time_limit").Value);
        // The backend's slot is free again.
        Assert.Equal(0, node.Node.Backends.All.Single().InFlight);
    }

    [Fact]
    public async Task A_stream_broken_off_before_any_text_releases_the_charge()
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broken = await HostileBackend.StartAsync(TwoChunksThen("abort", seen.Task, text: false));
        await using var node = await TestNode.StartAsync([new TestNode.Sim("broken", TestNode.AllLevels, Url: broken.BaseUrl)]);
        var token = node.Token(sub: "dr.empty", department: "icu");

        using var response = await node.Http.SendAsync(node.Chat(token, "phi", stream: true), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        for (var i = 0; i < 4; i++)
        {
            Assert.NotNull(await reader.ReadLineAsync());
        }

        seen.SetResult();
        Assert.Contains("data: {\"error\":", await reader.ReadToEndAsync(), StringComparison.Ordinal);

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "refunded");
        Assert.Contains(records, r => r.Entry.Decision == "failed:upstream_aborted" && r.Entry.EpsilonCharged == 0);
        Assert.Equal(0, (await node.Node.Ledger.GetBudgetAsync("dr.empty", "icu")).Spent);
    }

    [Fact]
    public async Task A_stream_broken_off_after_text_under_an_escaped_key_keeps_the_charge()
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broken = await HostileBackend.StartAsync(TwoChunksThen("abort", seen.Task, textKey: "con\\u0074ent"));
        await using var node = await TestNode.StartAsync([new TestNode.Sim("broken", TestNode.AllLevels, Url: broken.BaseUrl)]);
        var token = node.Token(sub: "dr.escaped", department: "icu");

        using var response = await node.Http.SendAsync(node.Chat(token, "phi", stream: true), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync() ?? throw new InvalidOperationException("the stream ended before its first chunk");
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await reader.ReadLineAsync());
        }

        seen.SetResult();
        Assert.Contains("data: {\"error\":", await reader.ReadToEndAsync(), StringComparison.Ordinal);

        // The client's JSON parser reads the escaped key as "content": the text reached the caller.
        using (var chunk = JsonDocument.Parse(first["data: ".Length..]))
        {
            Assert.Equal("Patient", chunk.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        }

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision.StartsWith("failed", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Entry.Decision == "failed:upstream_aborted" && r.Entry.EpsilonCharged > 0);
        Assert.DoesNotContain(records, r => r.Entry.Decision == "refunded");
        Assert.True((await node.Node.Ledger.GetBudgetAsync("dr.escaped", "icu")).Spent > 0);
    }
}
