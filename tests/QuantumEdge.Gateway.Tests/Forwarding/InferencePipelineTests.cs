using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>The request pipeline with in-memory backends and an in-memory client: no HTTP server, no sockets.</summary>
public sealed class InferencePipelineTests
{
    private const string Answer = """{"id":"a","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Stable."}}],"usage":{"prompt_tokens":3,"completion_tokens":2}}""";

    private sealed class MemoryClient : IInferenceClient
    {
        private readonly MemoryStream _body = new();

        public CancellationToken Gone { get; init; }
        public bool HasStarted => Head is not null;
        public Stream Body => _body;
        public AnswerHead? Head { get; private set; }
        public bool Aborted { get; private set; }
        public string Text => Encoding.UTF8.GetString(_body.ToArray());

        public void Begin(AnswerHead head) => Head = head;

        public void Abort() => Aborted = true;
    }

    private sealed class Bed : IDisposable
    {
        public Bed(params (string Id, double Timeout, ScriptedHandler Handler)[] backends)
            : this(TimeProvider.System, 16, backends)
        {
        }

        public Bed(TimeProvider time, int maxConcurrency, params (string Id, double Timeout, ScriptedHandler Handler)[] backends)
        {
            var handlers = backends.ToDictionary(b => b.Id, b => b.Handler);
            var config = new NodeConfiguration
            {
                Backends = [.. backends.Select(b => new BackendSettings
                {
                    Id = b.Id,
                    Url = new Uri($"http://{b.Id}.invalid/v1/"),
                    Models = ["clinical-7b"],
                    AllowedClassifications = [DataClassification.Public],
                    TimeoutSeconds = b.Timeout,
                    MaxConcurrency = maxConcurrency,
                })],
            };
            Registry = new BackendRegistry(config, handlers: s => handlers[s.Id], time: time);
            Metrics = new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry());
            Pipeline = new InferencePipeline(config, new ClassificationResolver(new ComplianceSettings()),
                new PhiScreen(config, Metrics, NullLogger<PhiScreen>.Instance), Registry, new LeastLoadedPlanner(), [], Metrics,
                NullLogger<InferencePipeline>.Instance);
        }

        public BackendRegistry Registry { get; }
        public GatewayMetrics Metrics { get; }
        public InferencePipeline Pipeline { get; }

        public Backend this[string id] => Registry.All.Single(b => b.Id == id);

        public async Task<(Contracts.GatewayError? Error, RequestRecord Record, MemoryClient Client)> RunAsync(bool stream = false, CancellationToken gone = default)
        {
            var body = Encoding.UTF8.GetBytes($$"""{"model":"clinical-7b","messages":[{"role":"user","content":"How is bed 4?"}],"stream":{{(stream ? "true" : "false")}}}""");
            var call = new InferenceCall
            {
                Caller = new CallerIdentity("dr.a", "doctor", "icu", DateTimeOffset.UtcNow.AddHours(1)),
                Request = InferenceRequest.Parse(body, InferenceRoute.ChatCompletions),
                Classification = "public",
            };
            var record = new RequestRecord { RequestId = "r1", Route = InferenceRoute.ChatCompletions };
            var client = new MemoryClient { Gone = gone };
            var error = await Pipeline.RunAsync(call, record, client);
            return (error, record, client);
        }

        public void Dispose() => Registry.Dispose();
    }

    [Fact]
    public async Task A_failing_backend_is_retried_on_the_next_and_the_answer_and_usage_come_from_it()
    {
        using var bed = new Bed(
            ("broken", 5, new ScriptedHandler((_, _) => ScriptedHandler.Json(HttpStatusCode.ServiceUnavailable, "{}"))),
            ("good", 5, new ScriptedHandler((_, _) => ScriptedHandler.Json(HttpStatusCode.OK, Answer))));

        var (error, record, client) = await bed.RunAsync();

        Assert.Null(error);
        Assert.Equal(Answer, client.Text);
        Assert.Equal("good", client.Head!.Value.Backend);
        Assert.Equal(new TokenUsage(3, 2), record.Usage);
        Assert.Equal(2, record.Attempts);
        Assert.Equal(200, record.Status);
        Assert.True(record.Disclosed);
    }

    [Fact]
    public async Task Each_request_goes_to_the_route_under_the_backends_base_url_and_is_counted_in_its_series()
    {
        var seen = new List<Uri?>();
        using var bed = new Bed(("good", 5, new ScriptedHandler((request, _) =>
        {
            lock (seen)
            {
                seen.Add(request.RequestUri);
            }

            return ScriptedHandler.Json(HttpStatusCode.OK, Answer);
        })));

        for (var i = 0; i < 3; i++)
        {
            var (error, _, _) = await bed.RunAsync();
            Assert.Null(error);
        }

        Assert.All(seen, uri => Assert.Equal(new Uri("http://good.invalid/v1/chat/completions"), uri));
        Assert.Equal(3, seen.Count);
        // The cached label children are the registry's own series: the values show in a scrape as before.
        Assert.Equal(3, bed.Metrics.BackendRequests.WithLabels("good", "ok").Value);
        Assert.Equal(9, bed.Metrics.Tokens.WithLabels("good", "prompt").Value);
        Assert.Equal(6, bed.Metrics.Tokens.WithLabels("good", "completion").Value);
        Assert.Equal(3, bed.Metrics.BackendLatency.WithLabels("good").Count);
        Assert.Equal(0, bed.Metrics.BackendInFlight.WithLabels("good").Value);
    }

    [Fact]
    public async Task A_backend_that_never_answers_times_out_opens_its_circuit_and_the_request_goes_elsewhere()
    {
        using var bed = new Bed(
            ("hung", 0.2, new ScriptedHandler((_, ct) => ScriptedHandler.Hang(ct))),
            ("good", 5, new ScriptedHandler((_, _) => ScriptedHandler.Json(HttpStatusCode.OK, Answer))));

        var (error, record, client) = await bed.RunAsync();

        Assert.Null(error);
        Assert.Equal("good", record.Backend);
        Assert.Equal(Answer, client.Text);
        Assert.True(bed["hung"].CircuitOpen);
        Assert.True(bed["hung"].LatencyEwmaMs >= 200);
        Assert.Equal(1, bed.Metrics.BackendErrors.WithLabels("hung", "timeout").Value);
    }

    [Fact]
    public async Task A_circuit_trial_whose_client_leaves_while_it_waits_for_a_slot_frees_the_trial()
    {
        var clock = new ManualClock();
        var calls = 0;
        using var bed = new Bed(clock, 1, ("flaky", 0.2, new ScriptedHandler((_, ct) =>
            Interlocked.Increment(ref calls) == 1 ? ScriptedHandler.Hang(ct) : ScriptedHandler.Json(HttpStatusCode.OK, Answer))));
        var (timedOut, _, _) = await bed.RunAsync();
        Assert.Equal(504, timedOut!.Status);
        Assert.True(bed["flaky"].CircuitOpen);

        // The break ends while the backend's one slot is busy: the trial request queues for it, and its client leaves.
        clock.Advance(TimeSpan.FromSeconds(new ServerSettings().CircuitBreakSeconds + 1));
        Assert.True(await bed["flaky"].TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
        using (var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            try
            {
                await bed.RunAsync(gone: gone.Token);
            }
            catch (OperationCanceledException)
            {
                // How the pipeline reports a client that left is not what this test is about.
            }
        }

        bed["flaky"].Release();

        // The trial was given back: the next request is the trial, reaches the backend and closes the circuit.
        var (error, record, client) = await bed.RunAsync();
        Assert.Null(error);
        Assert.Equal("flaky", record.Backend);
        Assert.Equal(Answer, client.Text);
        Assert.False(bed["flaky"].CircuitOpen);
    }

    [Fact]
    public async Task A_plain_json_answer_to_a_streamed_request_is_relayed_whole_as_it_came_not_as_a_broken_stream()
    {
        using var bed = new Bed(("plain", 5, new ScriptedHandler((_, _) => ScriptedHandler.Json(HttpStatusCode.OK, Answer))));

        var (error, record, client) = await bed.RunAsync(stream: true);

        Assert.Null(error);
        Assert.Equal(Answer, client.Text);
        Assert.False(client.Head!.Value.EventStream);
        Assert.StartsWith("application/json", client.Head!.Value.ContentType, StringComparison.Ordinal);
        Assert.Equal(200, record.Status);
        Assert.Equal(new TokenUsage(3, 2), record.Usage);
        Assert.False(bed["plain"].CircuitOpen);
        Assert.Equal(1, bed.Metrics.BackendRequests.WithLabels("plain", "ok").Value);
    }

    [Fact]
    public async Task With_nowhere_else_to_go_a_timeout_is_a_504()
    {
        using var bed = new Bed(("hung", 0.2, new ScriptedHandler((_, ct) => ScriptedHandler.Hang(ct))));

        var (error, record, client) = await bed.RunAsync();

        Assert.Equal(504, error!.Status);
        Assert.Equal("backend_timeout", error.Code);
        Assert.False(client.HasStarted);
        Assert.Null(record.Backend);
    }

    [Fact]
    public async Task A_stream_broken_off_after_text_ends_with_an_error_event_and_a_502_record()
    {
        var chunk = Encoding.UTF8.GetBytes("""data: {"choices":[{"index":0,"delta":{"content":"Stable"}}]}""" + "\n\n");
        using var bed = new Bed(("breaks", 5, new ScriptedHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BreakingStream(chunk)) { Headers = { ContentType = new("text/event-stream") } },
        }))));

        var (error, record, client) = await bed.RunAsync(stream: true);

        Assert.Null(error);
        Assert.StartsWith(Encoding.UTF8.GetString(chunk) + "data: {\"error\":", client.Text, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"backend_aborted\"", client.Text, StringComparison.Ordinal);
        Assert.Equal(502, record.Status);
        Assert.Equal("failed:upstream_aborted", record.Decision);
        Assert.True(record.Disclosed);
        Assert.False(client.Aborted);
    }

    [Fact]
    public async Task A_plain_answer_broken_off_midway_cuts_the_client_connection()
    {
        using var bed = new Bed(("breaks", 5, new ScriptedHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BreakingStream("{\"id\":\"a\","u8.ToArray())),
        }))));

        var (error, record, client) = await bed.RunAsync();

        Assert.Null(error);
        Assert.True(client.Aborted);
        Assert.Equal(502, record.Status);
        Assert.Equal("failed:upstream_aborted", record.Decision);
    }

    /// <summary>A clock the test moves by hand (the circuit's break); waits for slots still take real time.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
